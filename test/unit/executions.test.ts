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
    // Prepare: 250 events at the first look (more than a page), 3 more after the second look's probe, the end after
    // the fourth's
    let history = Array.from({ length: 250 }, (_, i) => event(i + 1));
    let probes = 0;
    sfnMock.on(GetExecutionHistoryCommand).callsFake((input: GetExecutionHistoryCommandInput) => {
      if (input.maxResults === 1 && ++probes === 2) history = [...history, event(251), event(252), event(253)];
      if (input.maxResults === 1 && probes === 4)
        history = [...history, { id: 254, type: 'ExecutionSucceeded', timestamp: new Date() }];
      const events = [...history].reverse();
      const from = Number(input.nextToken ?? 0);
      const to = from + (input.maxResults ?? 1000);
      return { events: events.slice(from, to), ...(to < events.length ? { nextToken: String(to) } : {}) };
    });
    sfnMock.on(DescribeExecutionCommand).callsFake(() => ({
      executionArn: EXEC,
      status: history.some((e) => e.type === 'ExecutionSucceeded') ? 'SUCCEEDED' : 'RUNNING',
    }));
    const seen: number[] = [];

    // Act
    const described = await followExecution(new SFNClient({}), EXEC, (e) => seen.push(e.id!), { pollMs: 1 });

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    expect(seen).toEqual(Array.from({ length: 254 }, (_, i) => i + 1));
    // asked once, when the ending event was read
    expect(sfnMock).toHaveReceivedCommandTimes(DescribeExecutionCommand, 1);
    const reads = sfnMock.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input);
    expect(reads.every((r) => r.reverseOrder === true)).toBe(true);
    // first look: 25 pages of 10 for 250 events; then four probes of one event, of which two found something new
    // and read one page, stopped at the last event handed over
    expect(reads.slice(0, 25).every((r) => r.maxResults === 10)).toBe(true);
    expect(reads.slice(25).map((r) => r.maxResults)).toEqual([1, 1, 10, 1, 1, 10]);
    expect(reads.slice(25).every((r) => r.nextToken === undefined)).toBe(true);
  });

  it('finds an end the history does not show by asking DescribeExecution every tenth look, and hands over what came before it', async () => {
    // Prepare: no ending event ever; the execution has stopped by the tenth look, one event landing just before
    let history = [event(1)];
    let described = 0;
    serveHistory(() => history);
    sfnMock.on(DescribeExecutionCommand).callsFake(() => {
      described++;
      history = [...history, event(2)];
      return { executionArn: EXEC, status: 'FAILED' };
    });
    const seen: number[] = [];

    // Act
    const out = await followExecution(new SFNClient({}), EXEC, (e) => seen.push(e.id!), { pollMs: 1 });

    // Assess: one DescribeExecution, after nine quiet looks; the event that came with the end is handed over
    expect(out.status).toBe('FAILED');
    expect(described).toBe(1);
    expect(seen).toEqual([1, 2]);
    expect(
      sfnMock.commandCalls(GetExecutionHistoryCommand).filter((c) => c.args[0].input.maxResults === 1),
    ).toHaveLength(10);
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
