/**
 * The console's API on a bare twin: what it serves, and that only the console's own page may change anything
 * (no CSRF from another local page, even one that --allow-origin lets read the twin).
 */
import { startTwin, type Twin } from '../../../local/twin';

const PASS = JSON.stringify({ StartAt: 'Hello', States: { Hello: { Type: 'Pass', Result: { hi: 1 }, End: true } } });

describe('Integration: the console API', () => {
  let twin: Twin;
  let machineArn: string;
  let own: string;

  beforeAll(async () => {
    twin = await startTwin({ port: 0, fast: true, access: { allowedOrigins: ['http://localhost:3000'] } });
    machineArn = twin.stepFunctions.createStateMachine({
      name: 'hello',
      definition: PASS,
      roleArn: 'arn:aws:iam::000000000000:role/r',
    }).stateMachineArn;
    own = twin.endpoint;
  });

  afterAll(() => twin.close());

  const start = (headers: Record<string, string>, body = JSON.stringify({ input: '{}' })) =>
    fetch(`${twin.endpoint}/_console/api/state-machines/${encodeURIComponent(machineArn)}/executions`, {
      method: 'POST',
      headers,
      body,
    });

  it('serves the page with a policy that keeps other sites from framing it', async () => {
    // Act
    const res = await fetch(twin.console.url);
    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(await res.text()).toContain('/_console/assets/app.js');
  });

  it('bundles the page code and serves the chart library from the twin itself', async () => {
    // Act
    const js = await fetch(`${twin.endpoint}/_console/assets/app.js`);
    const chart = await fetch(`${twin.endpoint}/_console/assets/chart.umd.min.js`);
    // Assess
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect(chart.status).toBe(200);
  }, 30_000);

  it.each([
    ['no Origin', {}],
    ['another local page', { origin: 'http://localhost:3000' }],
    ['a foreign site', { origin: 'https://example.com' }],
  ])('refuses to start an execution for %s', async (_what, origin) => {
    // Act
    const res = await start({ 'content-type': 'application/json', ...origin });
    // Assess
    expect(res.status).toBe(403);
    expect(((await res.json()) as { __type: string }).__type).toBe('AccessDeniedException');
    expect(twin.stepFunctions.listAllExecutions()).toHaveLength(0);
  });

  it('refuses a cross-site fetch and a form body even with the console Origin', async () => {
    // Act
    const crossSite = await start({ 'content-type': 'application/json', origin: own, 'sec-fetch-site': 'cross-site' });
    const form = await start({ 'content-type': 'text/plain', origin: own });
    // Assess
    expect(crossSite.status).toBe(403);
    expect(form.status).toBe(415);
    expect(twin.stepFunctions.listAllExecutions()).toHaveLength(0);
  });

  it('refuses an input that is not JSON, with the parser message', async () => {
    // Act
    const res = await start({ 'content-type': 'application/json', origin: own }, JSON.stringify({ input: '{"a":' }));
    // Assess
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/not valid JSON/);
  });

  it('starts an execution for the console page, then shows it with its graph and history', async () => {
    // Act
    const res = await start({ 'content-type': 'application/json', origin: own.replace('127.0.0.1', 'localhost') });
    const { executionArn } = (await res.json()) as { executionArn: string };
    await twin.stepFunctions.execution(executionArn).done;
    const view = (await (
      await fetch(`${twin.endpoint}/_console/api/executions/${encodeURIComponent(executionArn)}`)
    ).json()) as {
      status: string;
      graph: { nodes: { id: string }[] };
      events: { type: string }[];
    };
    // Assess
    expect(res.status).toBe(200);
    expect(view.status).toBe('SUCCEEDED');
    expect(view.graph.nodes.map((n) => n.id)).toEqual(['__start', 'Hello', '__end']);
    expect(view.events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('streams changes as server-sent events', async () => {
    // Prepare
    const controller = new AbortController();
    const res = await fetch(`${twin.endpoint}/_console/api/events`, { signal: controller.signal });
    const reader = res.body!.getReader();
    // Act
    const first = new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    // Assess
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(first).toContain('event: hello');
  });
});
