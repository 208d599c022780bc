/**
 * The errors of the journal. A twin that meets one at start refuses to start with its message, which names the
 * file (and the offset) so that a person can look at it, move it away or restore it.
 */

/** Bytes that were acknowledged (a later write follows them) do not read back as they were written. */
export class JournalCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    reason: string,
  ) {
    super(
      `${file} is damaged at offset ${offset}: ${reason}. Data written after this point was acknowledged, so the ` +
        'twin will not cut it away; move the data directory aside (or restore it) and start again',
    );
    this.name = 'JournalCorruptError';
  }
}

/** The journal could not write or sync; what was not yet acknowledged is refused from then on. */
export class JournalWriteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JournalWriteError';
  }
}

/** Another live process holds the journal's directory. */
export class JournalLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`${dir} is in use by process ${pid} (another twin with the same --data-dir?)`);
    this.name = 'JournalLockedError';
  }
}
