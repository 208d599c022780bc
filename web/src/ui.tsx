/** Small pieces every page uses: links, badges, times, cards, key-value lists, JSON blocks. */
import type { ComponentChildren } from 'preact';

export const href = (...parts: string[]): string => `#/${parts.map(encodeURIComponent).join('/')}`;

export function fmtTime(ms: number | undefined): string {
  if (ms === undefined) return '–';
  const d = new Date(ms);
  return `${d.toLocaleDateString('en-CA')} ${d.toLocaleTimeString('en-GB', { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

export const fmtNumber = (n: number | undefined): string => (n === undefined ? '–' : n.toLocaleString('en-US'));

const TONE: Record<string, string> = {
  RUNNING: 'info',
  IN_PROGRESS: 'info',
  STARTING: 'info',
  STOPPING: 'info',
  UPDATING: 'info',
  CREATING: 'info',
  DELETING: 'info',
  running: 'info',
  SUCCEEDED: 'ok',
  succeeded: 'ok',
  ACTIVE: 'ok',
  ENABLED: 'ok',
  Enabled: 'ok',
  READY: 'neutral',
  FAILED: 'bad',
  failed: 'bad',
  'timed out': 'bad',
  TIMED_OUT: 'bad',
  ABORTED: 'neutral',
  DISABLED: 'neutral',
  Disabled: 'neutral',
  pass: 'ok',
  fail: 'bad',
};

export function Badge(props: { status: string | undefined; label?: string }) {
  const s = props.status ?? '–';
  return (
    <span class={`badge tone-${TONE[s] ?? 'neutral'}`} data-status={s}>
      <i />
      {props.label ?? s}
    </span>
  );
}

export function Card(props: {
  title?: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <section class={`card ${props.class ?? ''}`}>
      {props.title !== undefined || props.actions !== undefined ? (
        <header class="card-head">
          <h2>{props.title}</h2>
          <div class="actions">{props.actions}</div>
        </header>
      ) : null}
      <div class="card-body">{props.children}</div>
    </section>
  );
}

export function KeyValues(props: { items: [string, ComponentChildren][] }) {
  return (
    <dl class="kv">
      {props.items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** JSON text pretty-printed when it parses, as it is otherwise. */
export function JsonBlock(props: { text: string | undefined; empty?: string }) {
  if (props.text === undefined) return <p class="muted">{props.empty ?? 'None'}</p>;
  let shown = props.text;
  try {
    shown = JSON.stringify(JSON.parse(props.text), null, 2);
  } catch {
    // not JSON
  }
  return <pre class="json">{shown}</pre>;
}

export function PageHeader(props: {
  crumbs: [string, string | undefined][];
  title: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <div class="page-header">
      <nav class="crumbs">
        {props.crumbs.map(([label, link], i) => (
          <span key={label}>
            {i > 0 ? <span class="sep">›</span> : null}
            {link ? <a href={link}>{label}</a> : label}
          </span>
        ))}
      </nav>
      <div class="title-row">
        <h1>{props.title}</h1>
        <div class="actions">{props.actions}</div>
      </div>
    </div>
  );
}

export function Problem(props: { error: Error | undefined }) {
  if (!props.error) return null;
  return (
    <div class="alert bad" role="alert">
      <strong>{props.error.name === 'ApiError' ? (props.error as { type?: string }).type : 'Error'}</strong>{' '}
      {props.error.message}
    </div>
  );
}

export const Loading = () => <p class="muted loading">Loading…</p>;
