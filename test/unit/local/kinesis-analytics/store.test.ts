import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  describe('Method: flush', () => {
    it('keeps applications and checkpoints across a restart', () => {
      // Prepare
      const store = new ApplicationStore(dir);
      store.put(app('b'));
      store.put(app('a'));

      // Act
      store.flush();
      const reopened = new ApplicationStore(dir);

      // Assess
      expect(reopened.list().map((a) => a.name)).toEqual(['a', 'b']);
      expect(reopened.get('a')?.checkpoints).toEqual({ 'shardId-000000000000': { after: '49' } });
    });
  });

  describe('Method: constructor', () => {
    it('refuses a corrupt file with a message that says what to do', () => {
      // Prepare
      const store = new ApplicationStore(dir);
      store.put(app('a'));
      store.flush();
      writeFileSync(join(dir, 'kinesis-analytics', 'applications.json'), '{oops');

      // Act & Assess
      expect(() => new ApplicationStore(dir)).toThrow(/not valid JSON; move it away/);
    });
  });
});
