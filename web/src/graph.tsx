/** The state machine graph: the layout the server computed with elkjs, drawn as SVG, coloured by state status. */
import type { Point, StateGraph } from '../../local/console/graph';
import type { StateStatus } from './model/execution';

/** The layout's types are the server's own (local/console/graph.ts): type-only, nothing of it is bundled. */
export type { StateGraph } from '../../local/console/graph';

/** The Step Functions console's names for what its colours mean. */
export const STATUS_LABEL: Record<StateStatus | 'NOT_STARTED', string> = {
  IN_PROGRESS: 'In progress',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  CAUGHT_ERROR: 'Caught error',
  CANCELLED: 'Cancelled',
  NOT_STARTED: 'Not started',
};

/** State name -> the Map (or Parallel) state it is inside. */
export function mapsOf(graph: StateGraph): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of graph.nodes) if (n.parent !== undefined) out.set(n.id, n.parent);
  return out;
}

function pathOf(points: Point[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

export function Graph(props: {
  graph: StateGraph;
  statusOf?: (state: string) => StateStatus | undefined;
  selected?: string | undefined;
  onSelect?: (state: string) => void;
  /** Shown in a Map box's title: e.g. "iteration 1 of 2". */
  mapNote?: (state: string) => string | undefined;
  scale?: number;
}) {
  const { graph } = props;
  const scale = props.scale ?? 1;
  const status = (id: string): StateStatus | 'NOT_STARTED' => props.statusOf?.(id) ?? 'NOT_STARTED';
  const containers = graph.nodes.filter((n) => n.container);
  const leaves = graph.nodes.filter((n) => !n.container);
  return (
    <svg
      class="graph"
      width={Math.ceil(graph.width * scale)}
      height={Math.ceil(graph.height * scale)}
      viewBox={`0 0 ${graph.width} ${graph.height}`}
      role="img"
      aria-label="state machine graph"
    >
      <defs>
        {['next', 'choice', 'default', 'catch'].map((k) => (
          <marker
            id={`arrow-${k}`}
            key={k}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" class={`arrow arrow-${k}`} />
          </marker>
        ))}
      </defs>
      {containers.map((n) => {
        const s = status(n.id);
        const note = props.mapNote?.(n.id);
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it acts as one
          <g
            key={n.id}
            class={`node container status-${s.toLowerCase()}${props.selected === n.id ? ' selected' : ''}`}
            data-state={n.id}
            data-status={s}
            role="button"
            tabIndex={0}
            aria-label={`${n.id}: ${STATUS_LABEL[s]}`}
            onClick={(e) => {
              e.stopPropagation();
              props.onSelect?.(n.id);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') props.onSelect?.(n.id);
            }}
          >
            <rect x={n.x} y={n.y} width={n.width} height={n.height} rx="8" />
            <text x={n.x + 14} y={n.y + 22} class="name">
              {n.id}
            </text>
            <text x={n.x + 14} y={n.y + 39} class="subtitle">
              {n.subtitle}
              {note ? ` · ${note}` : ''}
            </text>
          </g>
        );
      })}
      {graph.edges.map((e) => (
        <g key={e.id} class={`edge edge-${e.kind}`}>
          <path d={pathOf(e.points)} marker-end={`url(#arrow-${e.kind})`} />
          {e.label && e.labelBox ? (
            <g class="edge-label">
              <rect x={e.labelBox.x} y={e.labelBox.y} width={e.labelBox.width} height={e.labelBox.height} rx="3" />
              <text x={e.labelBox.x + e.labelBox.width / 2} y={e.labelBox.y + e.labelBox.height - 4}>
                {e.label}
              </text>
            </g>
          ) : null}
        </g>
      ))}
      {leaves.map((n) => {
        const s = status(n.id);
        const terminal = n.type === 'Start' || n.type === 'End';
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it acts as one
          <g
            key={n.id}
            class={`node ${terminal ? 'terminal' : `type-${n.type.toLowerCase()}`} status-${s.toLowerCase()}${props.selected === n.id ? ' selected' : ''}`}
            data-state={terminal ? undefined : n.id}
            data-status={terminal ? undefined : s}
            role="button"
            tabIndex={terminal ? -1 : 0}
            aria-label={terminal ? n.type : `${n.id}: ${STATUS_LABEL[s]}`}
            onClick={(e) => {
              e.stopPropagation();
              if (!terminal) props.onSelect?.(n.id);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !terminal) props.onSelect?.(n.id);
            }}
          >
            <rect x={n.x} y={n.y} width={n.width} height={n.height} rx={terminal ? n.height / 2 : 6} />
            {terminal ? (
              <text x={n.x + n.width / 2} y={n.y + n.height / 2 + 4} class="terminal-label">
                {n.type}
              </text>
            ) : (
              <>
                <text x={n.x + n.width / 2} y={n.y + 20} class="name">
                  {n.id}
                </text>
                <text x={n.x + n.width / 2} y={n.y + 36} class="subtitle">
                  {n.subtitle}
                </text>
              </>
            )}
          </g>
        );
      })}
    </svg>
  );
}

export function Legend() {
  return (
    <div class="legend">
      {(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'CAUGHT_ERROR', 'CANCELLED', 'NOT_STARTED'] as const).map((s) => (
        <span key={s} class={`legend-item status-${s.toLowerCase()}`}>
          <i />
          {STATUS_LABEL[s]}
        </span>
      ))}
    </div>
  );
}
