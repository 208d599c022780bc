/**
 * Ctrl-C (SIGINT) or SIGTERM for a command that runs until it is stopped (`fanout twin`, `fanout up`,
 * `fanout run --keep`). The handlers go in when this is called, so a caller calls it before it says
 * "Ctrl-C stops it": a signal that comes as soon as that line is read then stops the command cleanly, instead of
 * finding Node's default disposition and killing the process with the twin's data unflushed.
 */
export function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
