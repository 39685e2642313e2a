/** Where a progress bar draws, and its wall clock: stderr when it is a terminal, else nowhere. */
export const progressTarget = () => (process.stderr.isTTY === true ? { sink: process.stderr, clock: () => performance.now() } : undefined)
