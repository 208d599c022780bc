import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApplicationState } from '../../../../local/kinesis-analytics/state';
import { ApplicationStore } from '../../../../local/kinesis-analytics/store';

function app(name: string): ApplicationState {
  return {
    name,
    arn: `arn:aws:kinesisanalytics:us-east-1:000000000000:application/${name}`,
    status: 'READY',
    createTimestamp: 1,
    versionId: 1,
    inputs: [],
    outputs: [],
    referenceDataSources: [],
    cloudWatchLoggingOptions: [],
    tags: [],
    checkpoints: { 'shardId-000000000000': { after: '49' } },
  };
}

describe('Class: ApplicationStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ka-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('Method: commit', () => {
    it('keeps applications, deletions and checkpoint moves once committed, without a clean close', async () => {
      // Prepare
      const store = new ApplicationStore(dir, { fsync: false });
      const b = app('b');
      store.put(b);
      store.put(app('a'));
      store.put(app('gone'));
      store.delete('gone');
      store.moveCheckpoints(b, 'arn:in', { 'shardId-000000000001': { after: '77' } });

      // Act: committed, then the files read by a second store as after a crash (the first never closes)
      await store.commit();
      const copy = mkdtempSync(join(tmpdir(), 'ka-store-copy-'));
      copyTree(join(dir, 'kinesis-analytics'), join(copy, 'kinesis-analytics'));
      const reopened = new ApplicationStore(copy);
      await reopened.close();
      await store.close();
      rmSync(copy, { recursive: true, force: true });

      // Assess
      expect(reopened.list().map((a) => a.name)).toEqual(['a', 'b']);
      expect(reopened.get('b')?.checkpoints).toEqual({
        'shardId-000000000000': { after: '49' },
        'shardId-000000000001': { after: '77' },
      });
      expect(reopened.get('b')?.checkpointStream).toBe('arn:in');
    });

    it('keeps what the application carried when it is put again after its checkpoints moved', async () => {
      // Prepare
      const store = new ApplicationStore(dir);
      const a = app('a');
      store.put(a);
      store.moveCheckpoints(a, 'arn:in', { 'shardId-000000000000': { after: '90' } }, true);
      a.status = 'RUNNING';
      store.put(a);
      await store.close();

      // Act
      const reopened = new ApplicationStore(dir);
      await reopened.close();

      // Assess
      expect(reopened.get('a')).toMatchObject({
        status: 'RUNNING',
        checkpoints: { 'shardId-000000000000': { after: '90' } },
      });
    });
  });

  describe('Method: constructor', () => {
    it('cuts a torn last write with a warning and keeps what was committed before it', async () => {
      // Prepare
      const store = new ApplicationStore(dir);
      store.put(app('a'));
      await store.close();
      const journal = join(dir, 'kinesis-analytics', 'journal');
      const segment = readdirSync(journal).find((f) => f.endsWith('.log'))!;
      appendFileSync(join(journal, segment), Buffer.from('half a batch'));
      const warnings: string[] = [];

      // Act
      const reopened = new ApplicationStore(dir, { warn: (m) => warnings.push(m) });
      await reopened.close();

      // Assess
      expect(reopened.list().map((x) => x.name)).toEqual(['a']);
      expect(warnings.join('\n')).toContain(segment);
    });

    it('takes the applications of an older data directory (applications.json) into the journal once', async () => {
      // Prepare
      mkdirSync(join(dir, 'kinesis-analytics'), { recursive: true });
      const legacy = join(dir, 'kinesis-analytics', 'applications.json');
      writeFileSync(legacy, JSON.stringify({ version: 1, applications: [app('old')] }));

      // Act
      const first = new ApplicationStore(dir);
      await first.close();
      const second = new ApplicationStore(dir);
      await second.close();

      // Assess
      expect(first.list().map((a) => a.name)).toEqual(['old']);
      expect(second.get('old')?.checkpoints).toEqual({ 'shardId-000000000000': { after: '49' } });
      expect(existsSync(legacy)).toBe(false);
      expect(existsSync(`${legacy}.imported`)).toBe(true);
    });

    it('refuses an older applications.json that is not JSON, with a message that says what to do', () => {
      // Prepare
      mkdirSync(join(dir, 'kinesis-analytics'), { recursive: true });
      writeFileSync(join(dir, 'kinesis-analytics', 'applications.json'), '{oops');

      // Act & Assess
      expect(() => new ApplicationStore(dir)).toThrow(/not valid JSON; move it away/);
    });
  });
});

/** The files of a data directory as a crash leaves them (the owner's LOCK aside: its process is this one). */
function copyTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (source) => !source.endsWith('LOCK') });
}
