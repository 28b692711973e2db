/** Read by screen readers, not shown: what the eye gets from a colour or a layout (a best value, a column of checkboxes). */
export const visuallyHidden = {
  position: "absolute",
  width: 1,
  height: 1,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
} as const;
