/**
 * One execution, as the Step Functions console shows it: status and details, the graph coloured live by state
 * status (a Map's iterations selectable), the selected state's input and output, the event history, and the
 * load-test report when the execution holds one (the report page itself, src/load-test/report-html.ts).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getJson, postJson, useLive } from '../api';
import { Graph, Legend, mapsOf, STATUS_LABEL, type StateGraph } from '../graph';
import {
  defaultIteration,
  type ExecutionModel,
  executionModel,
  type HistoryEvent,
  type StateRun,
} from '../model/execution';
import { Badge, Card, fmtDuration, fmtTime, href, JsonBlock, KeyValues, Loading, PageHeader, Problem } from '../ui';

interface ExecutionAnswer {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  status: string;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  graph?: StateGraph;
  events: HistoryEvent[];
  iterations: Record<string, number>;
  report: { verdict: string; runId: string } | null;
}

interface Loaded {
  head: Omit<ExecutionAnswer, 'events' | 'iterations' | 'graph'>;
  graph: StateGraph;
  events: HistoryEvent[];
  iterations: Record<string, number>;
}

/** The execution, its events fetched incrementally (`since` the last one held) as live events say it moved. */
function useExecution(arn: string): { data: Loaded | undefined; error: Error | undefined } {
  const [data, setData] = useState<Loaded | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const s = useRef({ busy: false, again: false, loaded: undefined as Loaded | undefined });
  const load = (): void => {
    const st = s.current;
    if (st.busy) {
      st.again = true;
      return;
    }
    st.busy = true;
    const since = st.loaded?.events.at(-1)?.id ?? 0;
    getJson<ExecutionAnswer>(`executions/${encodeURIComponent(arn)}?since=${since}`)
      .then((a) => {
        const { events, iterations, graph, ...head } = a;
        const prev = st.loaded;
        const next: Loaded = {
          head,
          graph: graph ?? prev!.graph,
          events: prev ? [...prev.events, ...events] : events,
          iterations: prev ? { ...prev.iterations, ...iterations } : iterations,
        };
        st.loaded = next;
        setData(next);
        setError(undefined);
      }, setError)
      .finally(() => {
        st.busy = false;
        if (st.again) {
          st.again = false;
          load();
        }
      });
  };
  useEffect(() => {
    s.current.loaded = undefined;
    setData(undefined);
    load();
  }, [arn]);
  useLive((kind, d) => {
    if (kind === 'change' && 'topic' in d && d.topic === 'execution' && d.ids.includes(arn)) load();
    // a tick refreshes a running execution's durations, and catches an update whose change event was missed
    if (kind === 'tick' && s.current.loaded?.head.status === 'RUNNING') load();
  });
  return { data, error };
}

const detailKey = (e: HistoryEvent): string | undefined => Object.keys(e).find((k) => k.endsWith('EventDetails'));

function resourceOf(e: HistoryEvent): string {
  const d = detailKey(e);
  const details = d ? (e[d] as Record<string, unknown>) : undefined;
  const r = details?.['resource'];
  return typeof r === 'string' ? r : '';
}

/** The function a Lambda resource names (`...:function:<name>`), for a link to its page. */
const functionOf = (resource: string): string | undefined => /:function:([^:]+)/.exec(resource)?.[1];

function EventsTable(props: { events: HistoryEvent[]; model: ExecutionModel; start: number }) {
  const [open, setOpen] = useState<Set<number>>(new Set());
  const [filter, setFilter] = useState('');
  const shown = props.events.filter(
    (e) =>
      filter === '' ||
      e.type.toLowerCase().includes(filter.toLowerCase()) ||
      (props.model.stepOf.get(e.id) ?? '').toLowerCase().includes(filter.toLowerCase()),
  );
  return (
    <>
      <div class="toolbar">
        <input
          type="search"
          placeholder="Filter by type or step"
          value={filter}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
        />
        <span class="muted">
          {shown.length} of {props.events.length} events
        </span>
      </div>
      <table class="table events" id="events">
        <thead>
          <tr>
            <th>ID</th>
            <th>Type</th>
            <th>Step</th>
            <th>Resource</th>
            <th>Started after</th>
            <th>Date and time</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => {
            const expanded = open.has(e.id);
            const key = detailKey(e);
            const failed = /Failed|TimedOut|Aborted/.test(e.type);
            return [
              <tr
                key={e.id}
                class={`event${failed ? ' failed' : ''}${/Succeeded$/.test(e.type) ? ' succeeded' : ''}`}
                onClick={() => {
                  const next = new Set(open);
                  if (expanded) next.delete(e.id);
                  else next.add(e.id);
                  setOpen(next);
                }}
              >
                <td>
                  <span class="caret">{key ? (expanded ? '▾' : '▸') : ''}</span>
                  {e.id}
                </td>
                <td class="event-type">{e.type}</td>
                <td>{props.model.stepOf.get(e.id) ?? ''}</td>
                <td>
                  {functionOf(resourceOf(e)) ? (
                    <a href={href('functions', functionOf(resourceOf(e))!)} onClick={(ev) => ev.stopPropagation()}>
                      {functionOf(resourceOf(e))}
                    </a>
                  ) : (
                    resourceOf(e)
                  )}
                </td>
                <td>{fmtDuration(e.timestamp * 1000 - props.start)}</td>
                <td>{fmtTime(e.timestamp * 1000)}</td>
              </tr>,
              expanded && key ? (
                <tr key={`${e.id}-d`} class="event-details">
                  <td colSpan={6}>
                    <pre class="json">{JSON.stringify(e[key], null, 2)}</pre>
                  </td>
                </tr>
              ) : null,
            ];
          })}
        </tbody>
      </table>
    </>
  );
}

function StatePanel(props: {
  name: string | undefined;
  run: StateRun | undefined;
  type: string | undefined;
  iterations: ExecutionModel['iterations'];
  mapName: string | undefined;
  iteration: number | undefined;
  onIteration: (map: string, index: number) => void;
}) {
  const [tab, setTab] = useState<'input' | 'output' | 'details'>('input');
  if (!props.name) return <p class="muted">Select a state in the graph to see its input and output.</p>;
  const run = props.run;
  const mapIterations = props.type === 'Map' ? props.iterations.get(props.name) : undefined;
  const parentIterations = props.mapName ? props.iterations.get(props.mapName) : undefined;
  const chooser = (map: string, its: NonNullable<typeof mapIterations>, selected: number | undefined) => (
    <label class="iteration-select">
      Map iteration
      <select
        value={selected ?? ''}
        onChange={(e) => props.onIteration(map, Number((e.target as HTMLSelectElement).value))}
      >
        {[...its.values()]
          .sort((a, b) => a.index - b.index)
          .map((i) => (
            <option key={i.index} value={i.index}>
              #{i.index} · {i.status}
            </option>
          ))}
      </select>
    </label>
  );
  return (
    <div class="state-panel">
      <h3>
        {props.name} <span class="muted">{props.type}</span>
      </h3>
      {mapIterations && mapIterations.size > 0 ? chooser(props.name, mapIterations, props.iteration) : null}
      {props.mapName && parentIterations ? chooser(props.mapName, parentIterations, props.iteration) : null}
      <p>
        {run ? (
          <span class={`state-status status-${run.status.toLowerCase()}`}>{STATUS_LABEL[run.status]}</span>
        ) : (
          <span class="state-status status-not_started">{STATUS_LABEL.NOT_STARTED}</span>
        )}
        {run && run.entered > 1 ? <span class="muted"> · entered {run.entered} times (the last shown)</span> : null}
        {run?.end !== undefined ? <span class="muted"> · {fmtDuration(run.end - run.start)}</span> : null}
      </p>
      {run ? (
        <>
          <div class="tabs">
            {(['input', 'output', 'details'] as const).map((t) => (
              <button type="button" key={t} class={tab === t ? 'active' : ''} onClick={() => setTab(t)}>
                {t === 'input' ? 'Input' : t === 'output' ? 'Output' : 'Details'}
              </button>
            ))}
          </div>
          {tab === 'input' ? <JsonBlock text={run.input} /> : null}
          {tab === 'output' ? (
            <JsonBlock
              text={run.output}
              empty={run.status === 'IN_PROGRESS' ? 'Not yet: the state is running.' : 'No output.'}
            />
          ) : null}
          {tab === 'details' ? (
            <KeyValues
              items={[
                ['Status', STATUS_LABEL[run.status]],
                ['Entered', fmtTime(run.start)],
                ['Exited', fmtTime(run.end)],
                ['Error', run.error ?? '–'],
                [
                  'Cause',
                  run.cause ? (
                    <pre class="json" key="c">
                      {run.cause}
                    </pre>
                  ) : (
                    '–'
                  ),
                ],
              ]}
            />
          ) : null}
        </>
      ) : null}
    </div>
  );
}

/** The report page in a frame of the console's own origin, as tall as its content. */
function ReportFrame(props: { arn: string }) {
  const ref = useRef<HTMLIFrameElement>(null);
  const observer = useRef<ResizeObserver | undefined>(undefined);
  const fitHeight = (): void => {
    const doc = ref.current?.contentDocument;
    if (doc?.body) ref.current!.style.height = `${doc.body.scrollHeight + 8}px`;
  };
  useEffect(() => () => observer.current?.disconnect(), []);
  return (
    <iframe
      ref={ref}
      class="report-frame"
      id="report-frame"
      title="load-test report"
      src={`/_console/api/executions/${encodeURIComponent(props.arn)}/report`}
      onLoad={() => {
        fitHeight();
        const body = ref.current?.contentDocument?.body;
        observer.current?.disconnect();
        if (body) {
          observer.current = new ResizeObserver(fitHeight);
          observer.current.observe(body);
        }
      }}
    />
  );
}

export function ExecutionPage(props: { arn: string }) {
  const { data, error } = useExecution(props.arn);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [chosen, setChosen] = useState<Record<string, number>>({});
  const [now, setNow] = useState(Date.now());
  const [stopError, setStopError] = useState<Error | undefined>(undefined);
  const [zoom, setZoom] = useState(0.8);
  const scroller = useRef<HTMLDivElement>(null);
  const followed = useRef('');
  useLive((kind) => {
    if (kind === 'tick') setNow(Date.now());
  });
  const maps = useMemo(() => (data ? mapsOf(data.graph) : new Map<string, string>()), [data?.graph]);
  const model = useMemo(
    () => (data ? executionModel(data.events, data.iterations, maps) : undefined),
    [data?.events, data?.iterations, maps],
  );
  // while it runs, keep the state in progress in view (the graph is taller than its box), as the console follows it
  useEffect(() => {
    const box = scroller.current;
    if (!box || data?.head.status !== 'RUNNING') return;
    const running = [...box.querySelectorAll('g.node:not(.container)[data-status="IN_PROGRESS"]')];
    const key = running.map((n) => n.getAttribute('data-state')).join(',');
    if (running.length === 0 || key === followed.current) return;
    followed.current = key;
    const node = running.at(-1)!.getBoundingClientRect();
    const frame = box.getBoundingClientRect();
    if (node.top < frame.top || node.bottom > frame.bottom)
      box.scrollTop += node.top - frame.top - (frame.height - node.height) / 2;
  });
  if (error && !data)
    return (
      <>
        <PageHeader
          crumbs={[
            ['Step Functions', undefined],
            ['Executions', undefined],
          ]}
          title="Execution"
        />
        <Problem error={error} />
      </>
    );
  if (!data || !model) return <Loading />;
  const h = data.head;
  const iterationOf = (map: string): number | undefined => chosen[map] ?? defaultIteration(model.iterations.get(map));
  const runOf = (state: string): StateRun | undefined => {
    const map = maps.get(state);
    if (map === undefined) return model.states.get(state);
    const index = iterationOf(map);
    return index === undefined ? undefined : model.iterations.get(map)?.get(index)?.states.get(state);
  };
  const typeOf = (state: string | undefined) => data.graph.nodes.find((n) => n.id === state)?.type;
  const selectedMap = selected ? maps.get(selected) : undefined;
  const duration = (h.stopDate ?? now) - h.startDate;
  const stop = async (): Promise<void> => {
    if (!confirm(`Stop execution ${h.name}?`)) return;
    try {
      await postJson(`executions/${encodeURIComponent(h.executionArn)}/stop`, {});
    } catch (e) {
      setStopError(e as Error);
    }
  };
  return (
    <>
      <PageHeader
        crumbs={[
          ['Step Functions', undefined],
          ['State machines', href('state-machines')],
          [h.stateMachineName, href('state-machines', h.stateMachineArn)],
          [h.name, undefined],
        ]}
        title={
          <>
            {h.name} <Badge status={h.status} />
          </>
        }
        actions={
          h.status === 'RUNNING' ? (
            <button type="button" class="btn" onClick={stop}>
              Stop execution
            </button>
          ) : (
            <a class="btn" href={href('state-machines', h.stateMachineArn)}>
              New execution
            </a>
          )
        }
      />
      <Problem error={stopError} />
      {h.status === 'FAILED' || h.status === 'TIMED_OUT' ? (
        <div class="alert bad" role="alert">
          <strong>{h.error ?? h.status}</strong> <span class="cause">{h.cause}</span>
        </div>
      ) : null}
      <Card title="Execution details">
        <KeyValues
          items={[
            [
              'Execution status',
              <span key="s" id="execution-status">
                <Badge status={h.status} />
              </span>,
            ],
            ['Execution ARN', <code key="a">{h.executionArn}</code>],
            [
              'State machine',
              <a key="m" href={href('state-machines', h.stateMachineArn)}>
                {h.stateMachineName}
              </a>,
            ],
            ['Start time', fmtTime(h.startDate)],
            ['End time', fmtTime(h.stopDate)],
            ['Duration', fmtDuration(duration)],
            ['Events', String(data.events.length)],
          ]}
        />
      </Card>
      <Card
        title="Graph view"
        class="graph-card"
        actions={
          <>
            <Legend />
            <select
              aria-label="zoom"
              value={String(zoom)}
              onChange={(e) => setZoom(Number((e.target as HTMLSelectElement).value))}
            >
              {[0.5, 0.65, 0.8, 1].map((z) => (
                <option key={z} value={String(z)}>
                  {Math.round(z * 100)}%
                </option>
              ))}
            </select>
          </>
        }
      >
        <div class="graph-and-panel">
          <div class="graph-scroll" ref={scroller}>
            <Graph
              graph={data.graph}
              scale={zoom}
              selected={selected}
              onSelect={setSelected}
              statusOf={(s) => runOf(s)?.status}
              mapNote={(m) => {
                const its = model.iterations.get(m);
                if (!its || its.size === 0) return undefined;
                return `iteration #${iterationOf(m)} of ${its.size}`;
              }}
            />
          </div>
          <aside class="panel">
            <StatePanel
              name={selected}
              run={selected ? runOf(selected) : undefined}
              type={typeOf(selected)}
              iterations={model.iterations}
              mapName={selectedMap}
              iteration={
                selected ? iterationOf(typeOf(selected) === 'Map' ? selected : (selectedMap ?? '')) : undefined
              }
              onIteration={(map, index) => setChosen({ ...chosen, [map]: index })}
            />
          </aside>
        </div>
      </Card>
      {h.report ? (
        <Card
          title={
            <>
              Load-test report <Badge status={h.report.verdict} label={h.report.verdict.toUpperCase()} />
            </>
          }
          actions={
            <a
              class="btn"
              href={`/_console/api/executions/${encodeURIComponent(h.executionArn)}/report`}
              target="_blank"
              rel="noopener"
            >
              Open in a tab
            </a>
          }
        >
          <ReportFrame arn={h.executionArn} />
        </Card>
      ) : null}
      <div class="two-col">
        <Card title="Execution input">
          <JsonBlock text={h.input} />
        </Card>
        <Card title="Execution output">
          <JsonBlock
            text={h.output}
            empty={h.status === 'RUNNING' ? 'Not yet: the execution is running.' : 'No output.'}
          />
        </Card>
      </div>
      <Card title={`Events (${data.events.length})`}>
        <EventsTable events={data.events} model={model} start={h.startDate} />
      </Card>
    </>
  );
}
