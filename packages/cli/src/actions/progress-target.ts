/**
 * Where progress goes, and its wall clock: stderr, as a bar when it is a terminal and as a line every few seconds
 * otherwise (a log, CI); `KUBESIM_PROGRESS=0` turns it off.
 */
export const progressTarget = () =>
  process.env["KUBESIM_PROGRESS"] === "0" ? undefined : { sink: process.stderr, clock: () => performance.now(), terminal: process.stderr.isTTY === true }
