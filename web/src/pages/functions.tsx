/** Lambda and EventBridge: functions (recent invocations and their log lines) and schedule rules ("Run now"). */
import { useState } from 'preact/hooks';
import type { Invocation } from '../../../local/console/activity';
import { postJson, useResource } from '../api';
import { Badge, Card, fmtDuration, fmtNumber, fmtTime, href, KeyValues, Loading, PageHeader, Problem } from '../ui';

interface FunctionSummary {
  functionName: string;
  runtime: string;
  handler: string;
  memorySize: number;
  timeout: number;
  invocations: number;
  failed: number;
  lastInvocation?: { start: number; status: string };
}

interface FunctionDetail {
  configuration: Record<string, unknown>;
  mappings: Record<string, unknown>[];
  total: number;
  failed: number;
  invocations: Invocation[];
}

const isFunctionChange = (name?: string) => (kind: string, d: unknown) =>
  kind === 'change' &&
  (d as { topic?: string }).topic === 'function' &&
  (name === undefined || (d as { ids: string[] }).ids.includes(name));

export function FunctionsPage() {
  const { data, error } = useResource<{ functions: FunctionSummary[] }>('functions', isFunctionChange());
  return (
    <>
      <PageHeader
        crumbs={[
          ['Lambda', undefined],
          ['Functions', undefined],
        ]}
        title="Functions"
      />
      <Problem error={error} />
      <Card title={`Functions (${data?.functions.length ?? 0})`}>
        {!data ? (
          <Loading />
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>Function name</th>
                <th>Runtime</th>
                <th>Memory</th>
                <th>Timeout</th>
                <th>Invocations</th>
                <th>Errors</th>
                <th>Last invocation</th>
              </tr>
            </thead>
            <tbody>
              {data.functions.map((f) => (
                <tr key={f.functionName}>
                  <td>
                    <a href={href('functions', f.functionName)}>{f.functionName}</a>
                  </td>
                  <td>{f.runtime}</td>
                  <td>{f.memorySize} MB</td>
                  <td>{f.timeout} s</td>
                  <td class="num">{fmtNumber(f.invocations)}</td>
                  <td class={`num${f.failed ? ' bad-text' : ''}`}>{fmtNumber(f.failed)}</td>
                  <td>
                    {f.lastInvocation ? (
                      <>
                        <Badge status={f.lastInvocation.status} /> {fmtTime(f.lastInvocation.start)}
                      </>
                    ) : (
                      <span class="muted">–</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}

export function FunctionPage(props: { name: string }) {
  const { data, error } = useResource<FunctionDetail>(
    `functions/${encodeURIComponent(props.name)}`,
    isFunctionChange(props.name),
  );
  const [open, setOpen] = useState<string | undefined>(undefined);
  const c = data?.configuration;
  return (
    <>
      <PageHeader
        crumbs={[
          ['Lambda', undefined],
          ['Functions', href('functions')],
          [props.name, undefined],
        ]}
        title={props.name}
      />
      <Problem error={error} />
      {!data || !c ? (
        error ? null : (
          <Loading />
        )
      ) : (
        <>
          <Card title="Function overview">
            <KeyValues
              items={[
                ['ARN', <code key="a">{String(c['FunctionArn'])}</code>],
                ['Runtime', String(c['Runtime'])],
                ['Handler', <code key="h">{String(c['Handler'])}</code>],
                ['Memory', `${String(c['MemorySize'])} MB`],
                ['Timeout', `${String(c['Timeout'])} s`],
                ['Last modified', String(c['LastModified'] ?? '–')],
                ['Invocations', `${fmtNumber(data.total)} since the twin started (${fmtNumber(data.failed)} failed)`],
                ['Event source mappings', String(data.mappings.length)],
              ]}
            />
          </Card>
          <Card title="Recent invocations">
            {data.invocations.length === 0 ? (
              <p class="muted">Not invoked since the twin started.</p>
            ) : (
              <table class="table invocations">
                <thead>
                  <tr>
                    <th>Start</th>
                    <th>Request ID</th>
                    <th>Status</th>
                    <th>Duration</th>
                    <th>Billed</th>
                    <th>Memory used</th>
                    <th>Init</th>
                    <th>Error</th>
                  </tr>
                </thead>
                <tbody>
                  {data.invocations.map((i) => [
                    <tr
                      key={i.requestId}
                      class="clickable"
                      onClick={() => setOpen(open === i.requestId ? undefined : i.requestId)}
                    >
                      <td class="nowrap">
                        <span class="caret">{open === i.requestId ? '▾' : '▸'}</span>
                        {fmtTime(i.start)}
                      </td>
                      <td>
                        <code>{i.requestId}</code>
                      </td>
                      <td>
                        <Badge status={i.status} />
                      </td>
                      <td class="num">{i.durationMs === undefined ? '–' : fmtDuration(i.durationMs)}</td>
                      <td class="num">{i.billedDurationMs === undefined ? '–' : `${i.billedDurationMs} ms`}</td>
                      <td class="num">
                        {i.maxMemoryUsedMb === undefined ? '–' : `${i.maxMemoryUsedMb} / ${i.memorySizeMb} MB`}
                      </td>
                      <td class="num">{i.initDurationMs === undefined ? '' : fmtDuration(i.initDurationMs)}</td>
                      <td class="bad-text">{i.error ?? ''}</td>
                    </tr>,
                    open === i.requestId ? (
                      <tr key={`${i.requestId}-log`} class="log-row">
                        <td colSpan={8}>
                          <div class="muted small">
                            /aws/lambda/{props.name} · {i.logStreamName}
                          </div>
                          <pre class="log">
                            {i.lines.map((l) => `${new Date(l.timestamp).toISOString()}  ${l.message}`).join('\n')}
                            {i.droppedLines ? `\n… ${i.droppedLines} more lines not kept` : ''}
                          </pre>
                        </td>
                      </tr>
                    ) : null,
                  ])}
                </tbody>
              </table>
            )}
          </Card>
        </>
      )}
    </>
  );
}

interface Schedule {
  name: string;
  arn: string;
  scheduleExpression?: string;
  enabled: boolean;
  fired: number;
  nextFire?: number;
  targets: { id: string; arn: string; input?: string }[];
  deliveries: { target: string; input: string; at: number }[];
}

export function SchedulesPage() {
  const [now, setNow] = useState(Date.now());
  const { data, error, reload } = useResource<{ schedules: Schedule[] }>('schedules', (k) => {
    if (k === 'tick') setNow(Date.now());
    return k === 'tick';
  });
  const [message, setMessage] = useState<string | undefined>(undefined);
  const [runError, setRunError] = useState<Error | undefined>(undefined);
  const run = async (name: string): Promise<void> => {
    setRunError(undefined);
    try {
      const out = await postJson<{ deliveries: { target: string }[] }>(`schedules/${encodeURIComponent(name)}/run`, {});
      setMessage(`${name} fired now: ${out.deliveries.length} target(s) invoked.`);
      reload();
    } catch (e) {
      setRunError(e as Error);
    }
  };
  return (
    <>
      <PageHeader
        crumbs={[
          ['EventBridge', undefined],
          ['Rules', undefined],
        ]}
        title="Schedules"
      />
      <Problem error={error ?? runError} />
      {message ? <div class="alert ok">{message}</div> : null}
      <Card title={`Rules (${data?.schedules.length ?? 0})`}>
        {!data ? (
          <Loading />
        ) : data.schedules.length === 0 ? (
          <p class="muted">No rule.</p>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>Schedule</th>
                <th>Next fire time</th>
                <th>Fired</th>
                <th>Last fired</th>
                <th>Targets</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.schedules.map((s) => (
                <tr key={s.name}>
                  <td>{s.name}</td>
                  <td>
                    <Badge status={s.enabled ? 'ENABLED' : 'DISABLED'} />
                  </td>
                  <td>
                    <code>{s.scheduleExpression ?? '–'}</code>
                  </td>
                  <td>
                    {s.nextFire ? (
                      <>
                        {fmtTime(s.nextFire)} <span class="muted">(in {fmtDuration(s.nextFire - now)})</span>
                      </>
                    ) : (
                      <span class="muted">not scheduled</span>
                    )}
                  </td>
                  <td class="num">{s.fired}</td>
                  <td>{s.deliveries[0] ? fmtTime(s.deliveries[0].at) : <span class="muted">never</span>}</td>
                  <td>
                    {s.targets.map((t) =>
                      t.arn.includes(':stateMachine:') ? (
                        <a key={t.id} href={href('state-machines', t.arn)}>
                          {t.arn.split(':').pop()}
                        </a>
                      ) : (
                        <code key={t.id}>{t.arn}</code>
                      ),
                    )}
                  </td>
                  <td>
                    <button type="button" class="btn" onClick={() => run(s.name)}>
                      Run now
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
