import { describe, expect, it } from "vitest";
import { badgeText, notificationTarget } from "./links";

describe("notificationTarget", () => {
  it("follows the notification's own link in the app", () => {
    expect(notificationTarget({ link: "/runs/42", subject: { type: "deployment", id: 3, name: "churn-fr" } })).toBe("/runs/42");
  });

  it("leads to the subject's page when there is no link", () => {
    expect(notificationTarget({ link: null, subject: { type: "deployment", id: 3, name: "churn fr" } })).toBe("/deployments/churn%20fr");
    expect(notificationTarget({ link: null, subject: { type: "model", id: 1, name: "churn" } })).toBe("/models/churn");
  });

  it("never leads off the app, and nowhere without a subject", () => {
    expect(notificationTarget({ link: "https://elsewhere.example.com/x", subject: null })).toBeNull();
    expect(notificationTarget({ link: null, subject: null })).toBeNull();
  });
});

describe("badgeText", () => {
  it("caps the count", () => {
    expect(badgeText(7)).toBe("7");
    expect(badgeText(150)).toBe("99+");
  });
});
