/** Kinesis: the streams, one stream (counters, shards, consumers, the record browser). */
import { useState } from 'preact/hooks';
import type { RecordsAnswer, StreamDetailAnswer, StreamListAnswer } from '../../../local/console/streams-api';
import type { ShardView } from '../../../local/kinesis/views';
import { useResource } from '../api';
import { TimeChart } from '../chart';
import { Badge, Card, fmtNumber, fmtTime, href, KeyValues, Loading, PageHeader, Problem } from '../ui';

export function StreamsPage() {
  const { data, error } = useResource<StreamListAnswer>('streams', (kind) => kind === 'tick');
  return (
    <>
      <PageHeader
        crumbs={[
          ['Kinesis', undefined],
          ['Data streams', undefined],
        ]}
        title="Data streams"
      />
      <Problem error={error} />
      <Card title={`Data streams (${data?.streams.length ?? 0})`}>
        {!data ? (
          <Loading />
        ) : (
          <table class="table" id="streams">
            <thead>
              <tr>
                <th>Data stream name</th>
                <th>Status</th>
                <th>Capacity mode</th>
                <th>Open shards</th>
                <th>Records held</th>
                <th>In, last minute</th>
                <th>Out, last minute</th>
                <th>Consumers</th>
              </tr>
            </thead>
            <tbody>
              {data.streams.map((s) => (
                <tr key={s.name} data-stream={s.name}>
                  <td>
                    <a href={href('streams', s.name)}>{s.name}</a>
                  </td>
                  <td>
                    <Badge status={s.status} />
                  </td>
                  <td>{s.mode === 'ON_DEMAND' ? 'On-demand' : 'Provisioned'}</td>
                  <td>{s.openShards}</td>
                  <td class="num records-held">{fmtNumber(s.records)}</td>
                  <td class="num">{fmtNumber(s.incomingLastMinute)}</td>
                  <td class="num">{fmtNumber(s.outgoingLastMinute)}</td>
                  <td>{s.consumers}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}

function add(a: number[], b: number[]): number[] {
  return a.length === 0 ? [...b] : a.map((v, i) => v + (b[i] ?? 0));
}

function RecordBrowser(props: { stream: string; shards: ShardView[] }) {
  const [shard, setShard] = useState(props.shards[0]?.shardId ?? '');
  const [limit, setLimit] = useState(25);
  const [follow, setFollow] = useState(true);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const { data, error, reload } = useResource<RecordsAnswer>(
    shard
      ? `streams/${encodeURIComponent(props.stream)}/shards/${encodeURIComponent(shard)}/records?limit=${limit}`
      : undefined,
    (kind) => follow && kind === 'tick',
  );
  return (
    <>
      <div class="toolbar">
        <label>
          Shard{' '}
          <select value={shard} onChange={(e) => setShard((e.target as HTMLSelectElement).value)}>
            {props.shards.map((s) => (
              <option key={s.shardId} value={s.shardId}>
                {s.shardId} ({fmtNumber(s.records)} records)
              </option>
            ))}
          </select>
        </label>
        <label>
          Latest{' '}
          <select value={limit} onChange={(e) => setLimit(Number((e.target as HTMLSelectElement).value))}>
            {[10, 25, 50, 100, 500].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>{' '}
          records
        </label>
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} />{' '}
          Follow new records
        </label>
        <button type="button" class="btn" onClick={reload}>
          Refresh
        </button>
      </div>
      <Problem error={error} />
      {!data ? (
        <Loading />
      ) : data.records.length === 0 ? (
        <p class="muted">No records in this shard (within the retention period).</p>
      ) : (
        <table class="table records" id="records">
          <thead>
            <tr>
              <th>Approximate arrival</th>
              <th>Partition key</th>
              <th>Sequence number</th>
              <th>Size</th>
              <th>Data</th>
            </tr>
          </thead>
          <tbody>
            {data.records.map((r) => (
              <tr
                key={r.sequenceNumber}
                onClick={() => setOpen(open === r.sequenceNumber ? undefined : r.sequenceNumber)}
              >
                <td class="nowrap">{fmtTime(r.arrival)}</td>
                <td>
                  <code>{r.partitionKey}</code>
                </td>
                <td>
                  <code class="seq">{r.sequenceNumber}</code>
                </td>
                <td class="num nowrap">{r.size} B</td>
                <td class="data">
                  <span class={`kind kind-${r.kind}`}>{r.kind === 'binary' ? 'base64' : r.kind.toUpperCase()}</span>
                  {open === r.sequenceNumber ? (
                    <pre class="json">{r.text}</pre>
                  ) : (
                    <code class="preview">{r.kind === 'json' ? JSON.stringify(JSON.parse(r.text)) : r.text}</code>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function StreamPage(props: { name: string }) {
  const [seconds, setSeconds] = useState(300);
  const { data, error } = useResource<StreamDetailAnswer>(
    `streams/${encodeURIComponent(props.name)}?seconds=${seconds}`,
    (k) => k === 'tick',
  );
  const [shardFilter, setShardFilter] = useState('all');
  if (!data)
    return (
      <>
        <PageHeader
          crumbs={[
            ['Kinesis', undefined],
            ['Data streams', href('streams')],
            [props.name, undefined],
          ]}
          title={props.name}
        />
        <Problem error={error} />
        {error ? null : <Loading />}
      </>
    );
  const chosen = shardFilter === 'all' ? data.shards : data.shards.filter((s) => s.shardId === shardFilter);
  let incoming: number[] = [];
  let outgoing: number[] = [];
  let writeThrottled: number[] = [];
  let readThrottled: number[] = [];
  for (const s of chosen) {
    incoming = add(incoming, s.metrics.incomingRecords);
    outgoing = add(outgoing, s.metrics.outgoingRecords);
    writeThrottled = add(writeThrottled, s.metrics.writeThrottled);
    readThrottled = add(readThrottled, s.metrics.readThrottled);
  }
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  const start = data.shards[0]?.metrics.start ?? data.now;
  return (
    <>
      <PageHeader
        crumbs={[
          ['Kinesis', undefined],
          ['Data streams', href('streams')],
          [data.name, undefined],
        ]}
        title={
          <>
            {data.name} <Badge status={data.status} />
          </>
        }
      />
      <Problem error={error} />
      <Card title="Stream summary">
        <KeyValues
          items={[
            ['ARN', <code key="a">{data.arn}</code>],
            ['Capacity mode', data.mode === 'ON_DEMAND' ? 'On-demand' : 'Provisioned'],
            ['Open shards', String(data.openShards)],
            ['Records held', fmtNumber(data.shards.reduce((n, sh) => n + sh.records, 0))],
            ['Data retention', `${data.retentionHours} hours`],
            ['Encryption', data.encryption === 'NONE' ? 'Disabled' : data.encryption],
            ['Maximum record size', `${data.maxRecordKiB} KiB`],
            ['Created', fmtTime(data.created)],
          ]}
        />
      </Card>
      <Card
        title={`Monitoring: records per second, last ${seconds === 60 ? 'minute' : `${seconds / 60} minutes`}`}
        actions={
          <>
            <select
              aria-label="period"
              value={String(seconds)}
              onChange={(e) => setSeconds(Number((e.target as HTMLSelectElement).value))}
            >
              <option value="60">1 minute</option>
              <option value="180">3 minutes</option>
              <option value="300">5 minutes</option>
            </select>
            <select value={shardFilter} onChange={(e) => setShardFilter((e.target as HTMLSelectElement).value)}>
              <option value="all">All shards</option>
              {data.shards.map((s) => (
                <option key={s.shardId} value={s.shardId}>
                  {s.shardId}
                </option>
              ))}
            </select>
          </>
        }
      >
        <div class="metric-tiles">
          <div>
            <span>Incoming records</span>
            <b>{fmtNumber(sum(incoming))}</b>
          </div>
          <div>
            <span>GetRecords / pushed records</span>
            <b>{fmtNumber(sum(outgoing))}</b>
          </div>
          <div class={sum(writeThrottled) > 0 ? 'bad' : ''}>
            <span>Write throughput exceeded</span>
            <b>{fmtNumber(sum(writeThrottled))}</b>
          </div>
          <div class={sum(readThrottled) > 0 ? 'bad' : ''}>
            <span>Read throughput exceeded</span>
            <b>{fmtNumber(sum(readThrottled))}</b>
          </div>
        </div>
        <TimeChart
          start={start}
          stepMs={1000}
          yTitle="records / s"
          series={[
            { label: 'IncomingRecords', values: incoming, color: '#0972d3' },
            { label: 'GetRecords.Records', values: outgoing, color: '#037f0c' },
            { label: 'WriteProvisionedThroughputExceeded', values: writeThrottled, color: '#d91515', right: true },
            { label: 'ReadProvisionedThroughputExceeded', values: readThrottled, color: '#e07941', right: true },
          ]}
        />
      </Card>
      <Card title={`Data viewer: ${data.name}`} class="viewer">
        <RecordBrowser stream={data.name} shards={data.shards} />
      </Card>
      <Card title={`Shards (${data.shards.length})`}>
        <table class="table">
          <thead>
            <tr>
              <th>Shard ID</th>
              <th>Status</th>
              <th>Parent</th>
              <th>Records held</th>
              <th>Bytes</th>
              <th>Last arrival</th>
              <th>Hash key range</th>
            </tr>
          </thead>
          <tbody>
            {data.shards.map((s) => (
              <tr key={s.shardId}>
                <td>
                  <code>{s.shardId}</code>
                </td>
                <td>{s.open ? <Badge status="ACTIVE" label="Open" /> : <Badge status="DISABLED" label="Closed" />}</td>
                <td>{s.parentShardId ?? '–'}</td>
                <td class="num">{fmtNumber(s.records)}</td>
                <td class="num">{fmtNumber(s.bytes)}</td>
                <td>{fmtTime(s.lastArrival)}</td>
                <td class="hash">
                  <code>
                    {s.startingHashKey} – {s.endingHashKey}
                  </code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card title="Consumers">
        <h3 class="sub">Enhanced fan-out consumers ({data.consumers.length})</h3>
        {data.consumers.length === 0 ? (
          <p class="muted">None registered.</p>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>Consumer name</th>
                <th>Status</th>
                <th>Registered</th>
              </tr>
            </thead>
            <tbody>
              {data.consumers.map((c) => (
                <tr key={c.arn}>
                  <td>{c.name}</td>
                  <td>
                    <Badge status={c.status} />
                  </td>
                  <td>{fmtTime(c.created)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h3 class="sub">Lambda event source mappings ({data.mappings.length})</h3>
        {data.mappings.length === 0 ? (
          <p class="muted">No function reads this stream.</p>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>Function</th>
                <th>State</th>
                <th>Batch size</th>
                <th>Starting position</th>
                <th>Reads through</th>
              </tr>
            </thead>
            <tbody>
              {data.mappings.map((m) => {
                const fn = m.functionArn?.split(':').pop() ?? '';
                return (
                  <tr key={m.uuid}>
                    <td>
                      <a href={href('functions', fn)}>{fn}</a>
                    </td>
                    <td>
                      <Badge status={m.state} />
                    </td>
                    <td>{m.batchSize}</td>
                    <td>{m.startingPosition}</td>
                    <td>{m.viaConsumer ? 'enhanced fan-out consumer' : 'GetRecords polling'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
