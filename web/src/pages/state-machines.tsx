/** Step Functions: the state machines, one state machine (graph, Start execution, executions). */
import { useState } from 'preact/hooks';
import type {
  ExecutionSummary,
  MachineDetailAnswer,
  StateMachineListAnswer,
} from '../../../local/console/state-machines-api';
import { postJson, useResource } from '../api';
import { Graph } from '../graph';
import { Badge, Card, fmtDuration, fmtTime, href, KeyValues, Loading, PageHeader, Problem } from '../ui';

export function StateMachinesPage() {
  const { data, error } = useResource<StateMachineListAnswer>(
    'state-machines',
    (kind, d) => kind === 'change' && 'topic' in d && d.topic === 'state-machine',
  );
  return (
    <>
      <PageHeader
        crumbs={[
          ['Step Functions', undefined],
          ['State machines', undefined],
        ]}
        title="State machines"
      />
      <Problem error={error} />
      <Card title={`State machines (${data?.stateMachines.length ?? 0})`}>
        {!data ? (
          <Loading />
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Executions</th>
                <th>Latest execution</th>
                <th>Creation date</th>
              </tr>
            </thead>
            <tbody>
              {data.stateMachines.map((m) => (
                <tr key={m.stateMachineArn}>
                  <td>
                    <a href={href('state-machines', m.stateMachineArn)}>{m.name}</a>
                  </td>
                  <td>{m.type === 'STANDARD' ? 'Standard' : 'Express'}</td>
                  <td>
                    {m.executions}
                    {m.running ? <span class="muted"> ({m.running} running)</span> : null}
                  </td>
                  <td>
                    {m.latest ? (
                      <a href={href('executions', m.latest.executionArn)}>
                        <Badge status={m.latest.status} /> {fmtTime(m.latest.startDate)}
                      </a>
                    ) : (
                      <span class="muted">–</span>
                    )}
                  </td>
                  <td>{fmtTime(m.creationDate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}

export function ExecutionsTable(props: { executions: ExecutionSummary[]; now: number }) {
  if (props.executions.length === 0) return <p class="muted">No executions yet: start one.</p>;
  return (
    <table class="table executions">
      <thead>
        <tr>
          <th>Name</th>
          <th>Status</th>
          <th>Started</th>
          <th>End time</th>
          <th>Duration</th>
        </tr>
      </thead>
      <tbody>
        {props.executions.map((e) => (
          <tr key={e.executionArn}>
            <td>
              <a href={href('executions', e.executionArn)}>{e.name}</a>
            </td>
            <td>
              <Badge status={e.status} />
            </td>
            <td>{fmtTime(e.startDate)}</td>
            <td>{fmtTime(e.stopDate)}</td>
            <td>{fmtDuration((e.stopDate ?? props.now) - e.startDate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What the input box says about its text: undefined when it is valid JSON. */
export function inputProblem(text: string): string | undefined {
  if (text.trim() === '') return 'Enter a JSON value, e.g. {}';
  try {
    JSON.parse(text);
  } catch (error) {
    return `Not valid JSON: ${(error as Error).message}`;
  }
  if (new Blob([text]).size > 256 * 1024) return 'Over 256 KiB, the Step Functions limit for an input';
  return undefined;
}

function StartExecutionDialog(props: { machine: MachineDetailAnswer; onClose: () => void }) {
  const [input, setInput] = useState('{}');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const problem = inputProblem(input);
  const nameProblem =
    name !== '' && !/^[a-zA-Z0-9_-]{1,80}$/.test(name) ? 'Up to 80 letters, digits, - and _' : undefined;
  const start = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const out = await postJson<{ executionArn: string }>(
        `state-machines/${encodeURIComponent(props.machine.stateMachineArn)}/executions`,
        { input, ...(name ? { name } : {}) },
      );
      location.hash = href('executions', out.executionArn);
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  };
  return (
    <div class="modal-backdrop">
      <div
        class="modal"
        role="dialog"
        aria-label="Start execution"
        onKeyDown={(e) => {
          if (e.key === 'Escape') props.onClose();
        }}
      >
        <header>
          <h2>Start execution</h2>
          <span class="muted">{props.machine.name}</span>
        </header>
        <label>
          Name <span class="muted">– optional</span>
          <input
            type="text"
            value={name}
            placeholder="a generated id"
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
        </label>
        {nameProblem ? <p class="field-error">{nameProblem}</p> : null}
        <label>
          Input <span class="muted">– enter input values for this execution in JSON format</span>
          <textarea
            id="execution-input"
            rows={10}
            spellcheck={false}
            value={input}
            onInput={(e) => setInput((e.target as HTMLTextAreaElement).value)}
          />
        </label>
        {problem ? <p class="field-error">{problem}</p> : <p class="field-ok">Valid JSON</p>}
        <Problem error={error} />
        <footer>
          <button type="button" class="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="button"
            class="btn primary"
            id="start-execution-submit"
            disabled={busy || problem !== undefined || nameProblem !== undefined}
            onClick={start}
          >
            {busy ? 'Starting…' : 'Start execution'}
          </button>
        </footer>
      </div>
    </div>
  );
}

export function StateMachinePage(props: { arn: string }) {
  const [starting, setStarting] = useState(false);
  const [now, setNow] = useState(Date.now());
  const { data, error } = useResource<MachineDetailAnswer>(
    `state-machines/${encodeURIComponent(props.arn)}`,
    (kind, d) => {
      if (kind === 'tick') setNow(Date.now());
      return kind === 'change' && 'topic' in d && d.topic === 'state-machine' && d.ids.includes(props.arn);
    },
  );
  return (
    <>
      <PageHeader
        crumbs={[
          ['Step Functions', undefined],
          ['State machines', href('state-machines')],
          [data?.name ?? '…', undefined],
        ]}
        title={data?.name ?? 'State machine'}
        actions={
          <button
            type="button"
            class="btn primary"
            id="start-execution"
            disabled={!data}
            onClick={() => setStarting(true)}
          >
            Start execution
          </button>
        }
      />
      <Problem error={error} />
      {!data ? (
        <Loading />
      ) : (
        <>
          <Card title="Details">
            <KeyValues
              items={[
                ['ARN', <code key="a">{data.stateMachineArn}</code>],
                ['Type', data.type === 'STANDARD' ? 'Standard' : 'Express'],
                ['IAM role ARN', <code key="r">{data.roleArn}</code>],
                ['Creation date', fmtTime(data.creationDate)],
                ['Revision', <code key="v">{data.revisionId}</code>],
              ]}
            />
          </Card>
          <Card title={`Executions (${data.executions.length})`}>
            <ExecutionsTable executions={data.executions} now={now} />
          </Card>
          <Card title="Definition" class="graph-card">
            <div class="graph-scroll">
              <Graph graph={data.graph} scale={0.85} />
            </div>
            <details>
              <summary>Definition (JSON)</summary>
              <pre class="json">{JSON.stringify(JSON.parse(data.definition), null, 2)}</pre>
            </details>
          </Card>
          {starting ? <StartExecutionDialog machine={data} onClose={() => setStarting(false)} /> : null}
        </>
      )}
    </>
  );
}
