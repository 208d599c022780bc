import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { logActivity } from '../../../../bin/session';
import { explainCause, findReport } from '../../../../local/up';

const report = { verdict: 'fail', sent: 10, outputs: { A: { expected: 5, received: 4 } }, reasons: ['1 missing'] };

describe('Module: up', () => {
  describe('Function: findReport', () => {
    it('takes the report from the execution output', () => {
      // Act
      const found = findReport(JSON.stringify({ report: { ...report, verdict: 'pass' } }), []);

      // Assess
      expect(found).toMatchObject({ verdict: 'pass', sent: 10 });
    });

    it("takes it from the LoadTest task's result when the execution failed", () => {
      // Prepare
      const events = [
        { type: 'LambdaFunctionSucceeded', lambdaFunctionSucceededEventDetails: { output: JSON.stringify(report) } },
        { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'LoadTestFailed' } },
      ] as unknown as HistoryEvent[];

      // Act
      const found = findReport(undefined, events);

      // Assess
      expect(found).toEqual(report);
    });

    it('finds none when no step produced one', () => {
      // Act
      const found = findReport('{"x":1}', [
        {
          id: 1,
          timestamp: new Date(0),
          type: 'TaskStateExited',
          stateExitedEventDetails: { name: 'LoadTest', output: '[]' },
        },
      ]);

      // Assess
      expect(found).toBeUndefined();
    });
  });

  describe('Function: explainCause', () => {
    it.each([
      ['{"errorType":"CodeValidationException","errorMessage":"line 3: expected SELECT"}', 'line 3: expected SELECT'],
      ['The application did not reach READY', 'The application did not reach READY'],
      [undefined, ''],
    ])('explains %s', (cause, expected) => {
      // Act
      const text = explainCause(cause);

      // Assess
      expect(text).toBe(expected);
    });
  });
});

describe('Module: session', () => {
  describe('Function: logActivity', () => {
    it('turns a structured log line into the message and its numbers', () => {
      // Act
      const text = logActivity(
        '{"level":"INFO","message":"records sent","service":"s","sampling_rate":0,"sent":500,"failed":0,"ms":467}',
      );

      // Assess
      expect(text).toBe('records sent · sent 500 · failed 0 · ms 467');
    });

    it.each(['plain text', '{"level":"DEBUG","message":"noise"}', '{"no":"message"}'])('ignores %s', (line) => {
      // Act
      const text = logActivity(line);

      // Assess
      expect(text).toBeUndefined();
    });
  });
});
