/** Talking to the console's API: JSON reads, JSON actions (same origin), and the live event stream. */
import { useEffect, useRef, useState } from 'preact/hooks';

export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { message: text };
  }
  if (!res.ok) {
    const b = body as { __type?: string; message?: string };
    throw new ApiError(b.__type ?? `HTTP ${res.status}`, b.message ?? res.statusText, res.status);
  }
  return body as T;
}

export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(`/_console/api/${path}`, { headers: { accept: 'application/json' } }));
}

/** A state-changing call: POST with a JSON body (the server refuses anything else, and other origins). */
export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(
    await fetch(`/_console/api/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

export interface ChangeEvent {
  topic: string;
  ids: string[];
}

type Listener = (kind: 'change' | 'tick', data: ChangeEvent | { now: number }) => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;
export const connection = { connected: false, onChange: (_c: boolean) => {} };

function ensureSource(): void {
  if (source) return;
  source = new EventSource('/_console/api/events');
  source.addEventListener('change', (e) => {
    const data = JSON.parse((e as MessageEvent).data) as ChangeEvent;
    for (const l of listeners) l('change', data);
  });
  source.addEventListener('tick', (e) => {
    const data = JSON.parse((e as MessageEvent).data) as { now: number };
    for (const l of listeners) l('tick', data);
  });
  source.addEventListener('hello', () => {
    connection.connected = true;
    connection.onChange(true);
  });
  source.addEventListener('error', () => {
    connection.connected = false;
    connection.onChange(false);
  });
}

/** Calls `listener` for every live event while the component is mounted. */
export function useLive(listener: Listener): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => {
    ensureSource();
    const l: Listener = (k, d) => ref.current(k, d);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
}

/**
 * Loads `path` and loads it again whenever `refresh` says a live event concerns it (at most one request in flight;
 * a change during a request loads once more after it).
 */
export function useResource<T>(
  path: string | undefined,
  refresh: (kind: 'change' | 'tick', data: ChangeEvent | { now: number }) => boolean,
): { data: T | undefined; error: ApiError | Error | undefined; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const state = useRef({ busy: false, again: false, path });
  state.current.path = path;
  const load = (): void => {
    const s = state.current;
    if (!s.path) return;
    if (s.busy) {
      s.again = true;
      return;
    }
    s.busy = true;
    const asked = s.path;
    getJson<T>(asked)
      .then(
        (d) => {
          if (state.current.path === asked) {
            setData(d);
            setError(undefined);
          }
        },
        (e: Error) => {
          if (state.current.path === asked) setError(e);
        },
      )
      .finally(() => {
        s.busy = false;
        if (s.again) {
          s.again = false;
          load();
        }
      });
  };
  useEffect(() => {
    setData(undefined);
    setError(undefined);
    load();
  }, [path]);
  useLive((kind, d) => {
    if (refresh(kind, d)) load();
  });
  return { data, error, reload: load };
}
