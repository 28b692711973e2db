/**
 * A run's log, live: new lines are polled while the run goes on (page after page until the last one),
 * and the box stays at its end as they arrive, unless the user scrolled up to read.
 */
import { Box, Typography } from "@mui/material";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { executionLogs } from "../api/client";
import { ErrorState, Loading } from "../components/States";
import { useI18n } from "../i18n";
import { appendLines, atBottom, EMPTY_TAIL, formatLine, pageIsFull, type LogTail } from "./liveLog";

/** How often a live run's log is asked for new lines. */
const POLL_MS = 1500;
/** The most pages fetched in a row before the screen is updated. */
const PAGES_PER_TICK = 20;

/** The log's last lines, kept up to date while `live`; one more read when the run ends. */
export function useLogTail(id: number, live: boolean) {
  const [tail, setTail] = useState<LogTail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const current = useRef<LogTail>(EMPTY_TAIL);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      let caughtUp = false;
      try {
        for (let n = 0; n < PAGES_PER_TICK && !stopped; n++) {
          const page = await executionLogs(id, current.current.after);
          current.current = appendLines(current.current, page);
          if (!pageIsFull(page)) {
            caughtUp = true;
            break;
          }
        }
        if (stopped) return;
        setError(null);
        setTail(current.current);
      } catch (e) {
        if (stopped) return;
        setError(e);
        return;
      }
      // A finished run's log is read to its end, then left alone; a live one is polled.
      if (!caughtUp) timer = setTimeout(() => void tick(), 0);
      else if (live) timer = setTimeout(() => void tick(), POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id, live, attempt]);

  const retry = useCallback(() => {
    setError(null);
    setAttempt((a) => a + 1);
  }, []);
  return { tail, error, retry };
}

export function LiveLog({ id, live }: { id: number; live: boolean }) {
  const { t, tn, locale } = useI18n();
  const { tail, error, retry } = useLogTail(id, live);
  const box = useRef<HTMLPreElement>(null);
  // Follow the end unless the user scrolled up; scrolling back down follows it again.
  const follow = useRef(true);
  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [tail]);
  if (error) return <ErrorState error={error} onRetry={retry} />;
  if (!tail) return <Loading />;
  return (
    <>
      {tail.dropped > 0 && (
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }} data-testid="log-dropped">
          {tn("runs.logEarlierLines", tail.dropped)}
        </Typography>
      )}
      <Box
        component="pre"
        ref={box}
        tabIndex={0}
        aria-label={t("runs.logs")}
        aria-live={live ? "polite" : "off"}
        data-testid="run-logs"
        onScroll={(e) => {
          follow.current = atBottom(e.currentTarget);
        }}
        sx={{ bgcolor: "#1e1e1e", color: "#e6e6e6", p: 2, borderRadius: 1, maxHeight: 320, overflow: "auto", fontSize: 13, m: 0, whiteSpace: "pre-wrap" }}
      >
        {tail.lines.length ? tail.lines.map((l) => formatLine(l, locale)).join("\n") : t("runs.noLogs")}
      </Box>
    </>
  );
}
