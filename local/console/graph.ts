/**
 * A state machine's graph, as the Step Functions console draws it, from its Amazon States Language definition:
 * a node per state (Map and Parallel states as boxes holding their inner states), Next, Choice rules, Default and
 * Catch edges, Start and End. elkjs lays it out (layered, top to bottom); the page only draws what comes back,
 * in absolute coordinates. Layouts are cached by definition text, since a definition never changes in place.
 */
import type { ELK, ElkExtendedEdge, ElkLabel, ElkNode } from 'elkjs/lib/elk-api';

interface Flow {
  StartAt?: string;
  States?: Record<string, AslState>;
}

interface AslState {
  Type?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: ChoiceRule[];
  Catch?: { ErrorEquals?: string[]; Next?: string }[];
  ItemProcessor?: Flow;
  Iterator?: Flow;
  Branches?: Flow[];
  Resource?: unknown;
  Parameters?: Record<string, unknown>;
}

type ChoiceRule = Record<string, unknown> & { Next?: string; And?: ChoiceRule[]; Or?: ChoiceRule[]; Not?: ChoiceRule };

export interface Point {
  x: number;
  y: number;
}

export interface GraphNode {
  /** The state's name (unique in a state machine), or `__start`/`__end`. */
  id: string;
  type: string;
  /** What the node says under its name: `Lambda: Invoke`, `Choice state`, ... */
  subtitle: string;
  /** The Map or Parallel state it is inside. */
  parent?: string;
  /** A Map or Parallel box. */
  container: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
}

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch';

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
  /** Start, bends, end. */
  points: Point[];
  labelBox?: { x: number; y: number; width: number; height: number };
}

export interface StateGraph {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const START = '__start';
export const END = '__end';

const NODE_HEIGHT = 46;
const LABEL_HEIGHT = 16;
/** Rough text widths of the page's fonts (13px semibold names, 11px labels): layout needs sizes before drawing. */
const nameWidth = (text: string): number => Math.ceil(text.length * 7.4);
const smallWidth = (text: string): number => Math.ceil(text.length * 6.1);

function subtitleOf(state: AslState): string {
  const type = state.Type ?? 'Unknown';
  if (type !== 'Task') return `${type} state`;
  const resource = typeof state.Resource === 'string' ? state.Resource : '';
  if (resource.startsWith('arn:aws:states:::lambda:invoke') || /:lambda:[^:]*:\d*:function:/.test(resource))
    return 'Lambda: Invoke';
  if (resource.startsWith('arn:aws:states:::')) return resource.slice('arn:aws:states:::'.length).replace(/\..*$/, '');
  return 'Task state';
}

/** A Choice rule in a few words: `$.status == "READY"`, `… or …`. */
export function describeRule(rule: ChoiceRule): string {
  if (rule.And) return rule.And.map(describeRule).join(' and ');
  if (rule.Or) return rule.Or.map(describeRule).join(' or ');
  if (rule.Not) return `not (${describeRule(rule.Not)})`;
  const variable = typeof rule['Variable'] === 'string' ? rule['Variable'] : '';
  const op = Object.keys(rule).find((k) => k !== 'Variable' && k !== 'Next');
  if (!op) return variable;
  const value = rule[op];
  const shown = op.endsWith('Path') ? String(value) : JSON.stringify(value);
  const symbol = /GreaterThanEquals/.test(op)
    ? '>='
    : /LessThanEquals/.test(op)
      ? '<='
      : /GreaterThan/.test(op)
        ? '>'
        : /LessThan/.test(op)
          ? '<'
          : /Equals/.test(op)
            ? '=='
            : op;
  return `${variable} ${symbol} ${shown}`;
}

function shorten(text: string, max = 34): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function label(text: string): ElkLabel {
  return { text, width: smallWidth(text) + 8, height: LABEL_HEIGHT };
}

interface Built {
  children: ElkNode[];
  edges: ElkExtendedEdge[];
}

/** The ELK nodes and edges of one flow (the top level, a Map's processor or a Parallel's branches). */
function buildFlow(flows: Flow[], top: boolean, types: Map<string, AslState>): Built {
  const children: ElkNode[] = [];
  const edges: ElkExtendedEdge[] = [];
  let n = 0;
  // the order states are written in: an edge back to an earlier state (a wait loop) is laid out reversed, so the
  // flow reads top to bottom as written, and drawn the right way round afterwards
  const order = new Map<string, number>();
  for (const flow of flows) for (const name of Object.keys(flow.States ?? {})) order.set(name, order.size);
  const edge = (from: string, to: string, kind: EdgeKind, text?: string): void => {
    const back = (order.get(to) ?? Number.POSITIVE_INFINITY) <= (order.get(from) ?? -1);
    edges.push({
      id: `${kind}:${from}->${to}:${n++}`,
      sources: [back ? to : from],
      targets: [back ? from : to],
      ...(text ? { labels: [label(text)] } : {}),
      kind,
      back,
    } as ElkExtendedEdge);
  };
  for (const flow of flows) {
    const states = flow.States ?? {};
    if (top && flow.StartAt) edge(START, flow.StartAt, 'next');
    for (const [name, state] of Object.entries(states)) {
      types.set(name, state);
      const inner = state.ItemProcessor ?? state.Iterator;
      const innerFlows = inner ? [inner] : (state.Branches ?? []);
      const subtitle = subtitleOf(state);
      const node: ElkNode = {
        id: name,
        width: Math.max(120, nameWidth(name) + 32, smallWidth(subtitle) + 32),
        height: NODE_HEIGHT,
      };
      if (innerFlows.length > 0) {
        const built = buildFlow(innerFlows, false, types);
        node.children = built.children;
        node.edges = built.edges;
        node.layoutOptions = { 'elk.padding': '[top=52,left=18,bottom=18,right=18]' };
        delete node.width;
        delete node.height;
      }
      children.push(node);
      if (state.Next) edge(name, state.Next, 'next');
      if (top && (state.End || state.Type === 'Succeed' || state.Type === 'Fail')) edge(name, END, 'next');
      for (const rule of state.Choices ?? [])
        if (rule.Next) edge(name, rule.Next, 'choice', shorten(describeRule(rule)));
      if (state.Default) edge(name, state.Default, 'default', 'Default');
      for (const c of state.Catch ?? [])
        if (c.Next) edge(name, c.Next, 'catch', shorten(`Catch ${(c.ErrorEquals ?? []).join(', ')}`));
    }
  }
  if (top) {
    children.unshift({ id: START, width: 64, height: 30 });
    children.push({ id: END, width: 64, height: 30 });
  }
  return { children, edges };
}

const ROOT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '34',
  'elk.spacing.nodeNode': '30',
  'elk.spacing.edgeNode': '18',
  'elk.spacing.edgeEdge': '12',
  'elk.layered.spacing.edgeNodeBetweenLayers': '16',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
};

// loaded at the first layout: most twins (every `fanout run`) never open the console, and elkjs's 1.5 MB bundle
// took ~0.3 s of each start-up to load (more on a busy machine)
let elk: Promise<ELK> | undefined;
const elkLayouter = (): Promise<ELK> =>
  (elk ??= import('elkjs/lib/elk.bundled.js').then(
    // a CommonJS module whose module.exports is the class: import() hands it over as default
    (m) => new (m as unknown as { default: new () => ELK }).default(),
  ));
const cache = new Map<string, Promise<StateGraph>>();

/** Lays out the graph of a definition (ASL as JSON text); the same text gives the same (cached) graph. */
export function stateGraph(definition: string): Promise<StateGraph> {
  let graph = cache.get(definition);
  if (!graph) {
    graph = layout(JSON.parse(definition) as Flow);
    cache.set(definition, graph);
    graph.catch(() => cache.delete(definition));
    if (cache.size > 64) cache.delete(cache.keys().next().value!);
  }
  return graph;
}

async function layout(definition: Flow): Promise<StateGraph> {
  const types = new Map<string, AslState>();
  const built = buildFlow([definition], true, types);
  const input: ElkNode = { id: 'root', layoutOptions: ROOT_OPTIONS, children: built.children, edges: built.edges };
  const root: ElkNode = await (await elkLayouter()).layout(input);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const walk = (node: ElkNode, parent: string | undefined): void => {
    for (const child of node.children ?? []) {
      const state = types.get(child.id);
      const special = child.id === START ? 'Start' : child.id === END ? 'End' : undefined;
      nodes.push({
        id: child.id,
        type: special ?? state?.Type ?? 'Unknown',
        subtitle: special ? '' : subtitleOf(state ?? {}),
        ...(parent !== undefined ? { parent } : {}),
        container: (child.children?.length ?? 0) > 0,
        x: child.x ?? 0,
        y: child.y ?? 0,
        width: child.width ?? 0,
        height: child.height ?? 0,
      });
      walk(child, child.id);
    }
    for (const e of node.edges ?? []) {
      const section = e.sections?.[0];
      const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
      const l = e.labels?.[0];
      const { kind, back } = e as unknown as { kind: EdgeKind; back: boolean };
      if (back) points.reverse();
      edges.push({
        id: e.id,
        from: back ? e.targets[0]! : e.sources[0]!,
        to: back ? e.sources[0]! : e.targets[0]!,
        kind,
        ...(l?.text ? { label: l.text } : {}),
        points: points.map((p) => ({ x: p.x, y: p.y })),
        ...(l && l.x !== undefined
          ? { labelBox: { x: l.x, y: l.y ?? 0, width: l.width ?? 0, height: l.height ?? 0 } }
          : {}),
      });
    }
  };
  walk(root, undefined);
  return { width: root.width ?? 0, height: root.height ?? 0, nodes, edges };
}
