import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandInput,
  type HistoryEvent,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { followExecution } from '../../src/executions';

const sfnMock = mockClient(SFNClient);
const EXEC = 'arn:aws:states:us-east-1:000000000000:execution:kinesis-fanout-dev-lifecycle:run-1';

const event = (id: number): HistoryEvent => ({
  id,
  type: 'PassStateEntered',
  timestamp: new Date(1_700_000_000_000 + id),
});

/** GetExecutionHistory over `history()` as Step Functions pages it: newest first with reverseOrder, maxResults. */
function serveHistory(history: () => HistoryEvent[]): void {
  sfnMock.on(GetExecutionHistoryCommand).callsFake((input: GetExecutionHistoryCommandInput) => {
    const events = input.reverseOrder ? [...history()].reverse() : history();
    const from = Number(input.nextToken ?? 0);
    const to = from + (input.maxResults ?? 1000);
    return { events: events.slice(from, to), ...(to < events.length ? { nextToken: String(to) } : {}) };
  });
}

describe('Function: followExecution', () => {
  beforeEach(() => sfnMock.reset());

  it('hands over every event once, in order, reading only what is new on each look', async () => {
    // Prepare: 250 events at the first look (more than a page), 3 more at the second, none at the last
    let history = Array.from({ length: 250 }, (_, i) => event(i + 1));
    let looks = 0;
    sfnMock.on(DescribeExecutionCommand).callsFake(() => {
      looks++;
      if (looks === 2) history = [...history, event(251), event(252), event(253)];
      return { executionArn: EXEC, status: looks < 3 ? 'RUNNING' : 'SUCCEEDED' };
    });
    serveHistory(() => history);
    const seen: number[] = [];

    // Act
    const described = await followExecution(new SFNClient({}), EXEC, (e) => seen.push(e.id!), { pollMs: 1 });

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    expect(seen).toEqual(Array.from({ length: 253 }, (_, i) => i + 1));
    const reads = sfnMock.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input);
    expect(reads.every((r) => r.reverseOrder === true)).toBe(true);
    // first look: 25 pages of 10 for 250 events; second: one page, stopped at event 250; third: one page
    expect(reads).toHaveLength(27);
    expect(reads.slice(25).every((r) => r.nextToken === undefined && r.maxResults === 10)).toBe(true);
  });

  it('hands over an event once even when a page boundary moves while it reads', async () => {
    // Prepare: events land between the first look's pages, so its second page repeats some of the first
    let history = Array.from({ length: 150 }, (_, i) => event(i + 1));
    let pages = 0;
    sfnMock.on(DescribeExecutionCommand).resolvesOnce({ status: 'RUNNING' }).resolves({ status: 'SUCCEEDED' });
    sfnMock.on(GetExecutionHistoryCommand).callsFake((input: GetExecutionHistoryCommandInput) => {
      if (++pages === 2) history = [...history, event(151), event(152)];
      const events = [...history].reverse();
      const from = Number(input.nextToken ?? 0);
      const to = from + (input.maxResults ?? 1000);
      return { events: events.slice(from, to), ...(to < events.length ? { nextToken: String(to) } : {}) };
    });
    const seen: number[] = [];

    // Act
    await followExecution(new SFNClient({}), EXEC, (e) => seen.push(e.id!), { pollMs: 1 });

    // Assess
    expect(seen).toEqual(Array.from({ length: 152 }, (_, i) => i + 1));
  });
});
