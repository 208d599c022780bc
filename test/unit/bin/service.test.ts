import { Command } from 'commander';
import { stageQualified } from '../../../bin/commands/invoke';
import { collectParam, parseStage, serviceOf, serviceOptions } from '../../../bin/commands/service';

function parse(args: string[], opts: { forEndpoint?: boolean } = {}): Record<string, unknown> {
  const command = new Command('x').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  serviceOptions(command, opts);
  command.parse(args, { from: 'user' });
  return command.opts();
}

describe('Module: bin/commands/service (--stage, --param, --config)', () => {
  describe('Function: serviceOptions', () => {
    it('takes the stage and params as the framework does, a later param of the same name winning', () => {
      // Act
      const o = parse([
        '--stage',
        'local',
        '--param',
        'teardownSchedule=rate(1 minute)',
        '--param',
        'loadTestRecords=50',
        '--param',
        'loadTestRecords=60',
        '--config',
        'other.yml',
      ]);

      // Assess
      expect(serviceOf(o)).toEqual({
        stage: 'local',
        params: { teardownSchedule: 'rate(1 minute)', loadTestRecords: '60' },
        config: 'other.yml',
      });
    });

    it('defaults the stage to dev, except against a running twin, where no stage means any', () => {
      // Act
      const own = parse([]);
      const endpoint = parse([], { forEndpoint: true });

      // Assess
      expect(own['stage']).toBe('dev');
      expect(endpoint['stage']).toBeUndefined();
      expect(serviceOf(endpoint)).toEqual({ stage: 'dev' });
    });
  });

  describe('Function: collectParam', () => {
    it('keeps everything after the first = (values may hold = and spaces) and refuses a param without a name', () => {
      // Act
      const params = collectParam('filter=a=b c', { x: '1' });

      // Assess
      expect(params).toEqual({ x: '1', filter: 'a=b c' });
      expect(() => collectParam('teardownSchedule')).toThrow('expected name=value');
      expect(() => collectParam('=value')).toThrow('expected name=value');
    });
  });

  describe('Function: parseStage', () => {
    it('accepts what the framework accepts, and nothing that could leave the package directory', () => {
      // Assess
      expect(parseStage('local-2')).toBe('local-2');
      expect(() => parseStage('../x')).toThrow('letters, digits and hyphens');
      expect(() => parseStage('')).toThrow();
    });
  });

  describe('Function: stageQualified', () => {
    it('finds the stage asked for on a twin holding several, leaving ARNs and full names alone', () => {
      // Assess
      expect(stageQualified('lifecycle', 'local')).toBe('local-lifecycle');
      expect(stageQualified('lifecycle', undefined)).toBe('lifecycle');
      expect(stageQualified('kinesis-fanout-local-lifecycle', 'local')).toBe('kinesis-fanout-local-lifecycle');
      expect(stageQualified('arn:aws:states:us-east-1:000000000000:stateMachine:x', 'local')).toBe(
        'arn:aws:states:us-east-1:000000000000:stateMachine:x',
      );
    });
  });
});
