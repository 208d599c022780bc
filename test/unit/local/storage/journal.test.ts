import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalCorruptError, JournalLockedError, JournalWriteError } from '../../../../local/storage/errors';
import { checkBatch, FILE_HEADER } from '../../../../local/storage/frame';
import { type Entry, Journal, type JournalOptions } from '../../../../local/storage/journal';

const text = (e: Entry): string => `${e.type}:${e.payload.toString()}`;

describe('Class: Journal', () => {
  let dir: string;
  let warnings: string[];
  const open = (opts: JournalOptions = {}): { journal: Journal; replayed: string[] } => {
    const replayed: string[] = [];
    const journal = Journal.open(dir, (e) => replayed.push(text(e)), { warn: (m) => warnings.push(m), ...opts });
    return { journal, replayed };
  };
  const segments = (): string[] =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .sort();
  const put = async (journal: Journal, items: string[]): Promise<void> => {
    for (const item of items) journal.append(1, Buffer.from(item));
    await journal.commit();
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'journal-'));
    warnings = [];
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('Method: commit', () => {
    it('keeps what was committed, in order, across a reopen', async () => {
      // Prepare
      const { journal } = open();

      // Act
      await put(journal, ['a', 'b']);
      journal.append(2, [Buffer.from('c'), Buffer.from('d')]);
      await journal.commit();
      await journal.close();
      const { journal: again, replayed } = open();
      await again.close();

      // Assess
      expect(replayed).toEqual(['1:a', '1:b', '2:cd']);
      expect(warnings).toEqual([]);
    });

    it('gathers the appends of callers that wait at the same time into few writes', async () => {
      // Prepare
      const { journal } = open();

      // Act: 200 callers, each appending and committing without waiting for the others
      await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          await Promise.resolve();
          journal.append(1, Buffer.from(String(i)));
          await journal.commit();
        }),
      );
      await journal.close();

      // Assess: every entry came back in order, in far fewer batches than callers
      const buf = readFileSync(join(dir, segments()[0]!));
      let batches = 0;
      for (let at = FILE_HEADER; at < buf.length; batches++) at = (checkBatch(buf, at) as { end: number }).end;
      const { journal: again, replayed } = open();
      await again.close();
      expect(replayed).toEqual(Array.from({ length: 200 }, (_, i) => `1:${i}`));
      expect(batches).toBeLessThan(20);
    });

    it('rejects every commit from the first write that fails', async () => {
      // Prepare
      const { journal } = open();
      await put(journal, ['kept']);
      const fd = (journal as unknown as { fd: number }).fd;
      (journal as unknown as { fd: number }).fd = 1_000_000;

      // Act
      journal.append(1, Buffer.from('lost'));
      const first = journal.commit();
      await expect(first).rejects.toBeInstanceOf(JournalWriteError);
      journal.append(1, Buffer.from('later'));
      const second = journal.commit();

      // Assess
      await expect(second).rejects.toThrow(`Cannot write the journal in ${dir}`);
      (journal as unknown as { fd: number }).fd = fd;
      await journal.close().catch(() => undefined);
    });
  });

  describe('Method: open', () => {
    it('cuts a torn last write with a warning naming the file, and appends after it', async () => {
      // Prepare
      const { journal } = open();
      await put(journal, ['one']);
      await put(journal, ['two-which-is-longer']);
      await journal.close();
      const file = join(dir, segments()[0]!);
      truncateSync(file, readFileSync(file).length - 5);

      // Act
      const { journal: again, replayed } = open();
      await put(again, ['three']);
      await again.close();
      const { journal: third, replayed: after } = open();
      await third.close();

      // Assess
      expect(replayed).toEqual(['1:one']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(file);
      expect(warnings[0]).toMatch(/cut 39 bytes at offset \d+ \(a batch of 24 bytes of which 19 are there\)/);
      expect(after).toEqual(['1:one', '1:three']);
    });

    it('cuts a tail of zeros or of a batch that fails its checksum when nothing whole follows', async () => {
      // Prepare
      const { journal } = open();
      await put(journal, ['one', 'two']);
      await journal.close();
      const file = join(dir, segments()[0]!);
      const buf = readFileSync(file);
      buf[buf.length - 1] ^= 0xff;
      writeFileSync(file, Buffer.concat([buf, Buffer.alloc(4096)]));

      // Act
      const { journal: again, replayed } = open();
      await again.close();

      // Assess
      expect(replayed).toEqual([]);
      expect(warnings[0]).toContain('fails its checksum');
    });

    it('refuses to start, naming file and offset, when damage is followed by acknowledged batches', async () => {
      // Prepare
      const { journal } = open();
      await put(journal, ['first']);
      await put(journal, ['second']);
      await put(journal, ['third']);
      await journal.close();
      const file = join(dir, segments()[0]!);
      const buf = readFileSync(file);
      buf[FILE_HEADER + 22] ^= 0x01;
      writeFileSync(file, buf);

      // Act
      const opening = (): unknown => open();

      // Assess
      expect(opening).toThrow(JournalCorruptError);
      expect(opening).toThrow(
        `${file} is damaged at offset ${FILE_HEADER}: a batch of 10 bytes that fails its checksum`,
      );
    });

    it('reads a log rolled over several segments, and refuses one with a segment missing', async () => {
      // Prepare
      const { journal } = open({ segmentBytes: 100 });
      for (let i = 0; i < 6; i++) await put(journal, [`entry-${i}-${'x'.repeat(60)}`]);
      await journal.close();
      const { journal: again, replayed } = open();
      await again.close();
      const names = segments();
      rmSync(join(dir, names[2]!));

      // Act
      const opening = (): unknown => open();

      // Assess
      expect(names.length).toBeGreaterThan(3);
      expect(replayed.map((r) => r.slice(0, 9))).toEqual([0, 1, 2, 3, 4, 5].map((i) => `1:entry-${i}`));
      expect(opening).toThrow(/begins at journal offset \d+ where \d+ was due/);
    });

    it('lets one journal at a time hold a directory, and takes over the lock of a process that is gone', async () => {
      // Prepare
      const { journal } = open();

      // Act
      const second = (): unknown => open();
      await journal.close();
      writeFileSync(join(dir, 'LOCK'), '999999999\n');
      const { journal: taken } = open();

      // Assess
      expect(second).toThrow(JournalLockedError);
      await taken.close();
      expect(existsSync(join(dir, 'LOCK'))).toBe(false);
    });
  });

  describe('Method: snapshot', () => {
    it('stands for everything before it, lets go of the old segments, and replays what came after', async () => {
      // Prepare
      const { journal } = open({ segmentBytes: 100 });
      for (let i = 0; i < 4; i++) await put(journal, [`old-${i}-${'x'.repeat(60)}`]);
      const before = segments().length;

      // Act
      const snap = journal.snapshot([{ type: 3, parts: [Buffer.from('state')] }]);
      journal.append(1, Buffer.from('after'));
      await Promise.all([snap, journal.commit()]);
      await journal.close();
      const { journal: again, replayed } = open();
      await again.close();

      // Assess
      expect(before).toBeGreaterThan(2);
      expect(segments()).toHaveLength(1);
      expect(replayed).toEqual(['3:state', '1:after']);
      expect(journal.logBytes).toBeGreaterThan(0);
    });

    it('refuses a snapshot that does not read back whole', async () => {
      // Prepare
      const { journal } = open();
      await journal.snapshot([{ type: 3, parts: [Buffer.from('state')] }]);
      await journal.close();
      const snap = readdirSync(dir).find((f) => f.endsWith('.snap'))!;
      truncateSync(join(dir, snap), readFileSync(join(dir, snap)).length - 1);

      // Act
      const opening = (): unknown => open();

      // Assess
      expect(opening).toThrow(JournalCorruptError);
      expect(opening).toThrow(snap);
    });
  });
});
