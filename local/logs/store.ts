/** Log groups, their streams and events, in memory. */
import { AwsServiceError } from '../service';

export interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  eventId: string;
}

export interface LogStream {
  name: string;
  created: number;
  events: LogEvent[];
}

export interface LogGroup {
  name: string;
  created: number;
  retentionInDays?: number;
  streams: Map<string, LogStream>;
}

export class LogsStore {
  readonly groups = new Map<string, LogGroup>();
  private seq = 0;

  constructor(private readonly now: () => number) {}

  group(name: string): LogGroup {
    const g = this.groups.get(name);
    if (!g) throw new AwsServiceError('ResourceNotFoundException', 'The specified log group does not exist.');
    return g;
  }

  createGroup(name: string): LogGroup {
    if (this.groups.has(name))
      throw new AwsServiceError('ResourceAlreadyExistsException', 'The specified log group already exists');
    const g: LogGroup = { name, created: this.now(), streams: new Map() };
    this.groups.set(name, g);
    return g;
  }

  /** The group, made when missing (as Lambda and Step Functions do when they first write). */
  ensureGroup(name: string): LogGroup {
    return this.groups.get(name) ?? this.createGroup(name);
  }

  stream(group: string, name: string): LogStream {
    const s = this.group(group).streams.get(name);
    if (!s) throw new AwsServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');
    return s;
  }

  createStream(group: string, name: string): LogStream {
    const g = this.group(group);
    if (g.streams.has(name))
      throw new AwsServiceError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    const s: LogStream = { name, created: this.now(), events: [] };
    g.streams.set(name, s);
    return s;
  }

  append(group: string, stream: string, events: { timestamp: number; message: string }[]): void {
    const g = this.ensureGroup(group);
    const s = g.streams.get(stream) ?? this.createStream(group, stream);
    const ingestionTime = this.now();
    for (const e of events) s.events.push({ ...e, ingestionTime, eventId: String(++this.seq).padStart(56, '0') });
  }
}
