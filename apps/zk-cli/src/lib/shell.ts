/**
 * The zkCli-compatible shell: one instance per process (or per test), with injected output and client
 * factory. It keeps zkCli's state (command counter, history, printwatches, the session) and runs one
 * command line at a time; the REPL and one-shot drivers feed it lines.
 */
import type { CliClient, CliWatchedEvent, ClientFactory, ClientState } from './client-port';
import { commands, usageText } from './commands/table';
import { CliError, ExitCode, type CommandContext, type CommandSpec, type ShellControl } from './commands/command';
import { eventText, watcherBlock, type EventStyle } from './format/event';
import { OptionParseError, parseOptions } from './options';
import { isAlive, keeperStateFor, promptStateFor } from './session-events';
import { tokenize } from './tokenize';

export interface ShellIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export type OutputFormat = 'text' | 'json';

export interface ShellConfig {
  server: string;
  sessionTimeoutMs: number;
  connectTimeoutMs: number;
  readOnly: boolean;
  output: OutputFormat;
  eventStyle: EventStyle;
  timeZone?: string;
  clientFactory: ClientFactory;
  io: ShellIo;
}

/** zkCli shows this many history entries before the current one. */
const historyShownBefore = 10;

/** Per-client bookkeeping so each session event is printed once, whether the client emits it or not. */
interface Session {
  client: CliClient;
  host: string;
  connected: Promise<boolean>;
  connectedPrinted: boolean;
  /** The shell printed SyncConnected itself; skip the client's own (late) one. */
  connectedSynthesized: boolean;
  closedPrinted: boolean;
  /** Closing at end of input: zkCli exits without printing the Closed event. */
  silent: boolean;
  /** The user closed it (close, connect, quit): a connect attempt it cuts short is no failure. */
  closing: boolean;
}

export class Shell implements ShellControl {
  exitCode: number = ExitCode.ok;
  quitRequested = false;
  /** The last connect attempt failed (its message is on stderr). */
  connectFailed = false;
  printWatches = true;
  private session?: Session;
  private host: string;
  private commandCount = 0;
  private readonly history = new Map<number, string>();
  /**
   * The watcher given with -w and addWatch. Session events also reach every registered watcher (the client
   * materializes them like Java's ZKWatchManager); zkCli has one default watcher, so it prints them once,
   * and here they are printed from the state listener instead.
   */
  private readonly printWatcher = (event: CliWatchedEvent): void => {
    if (event.type !== 'None') this.printEvent(event);
  };

  constructor(private readonly config: ShellConfig) {
    this.host = config.server;
  }

  get state(): ClientState | undefined {
    return this.session?.client.state;
  }

  prompt(): string {
    return `[zk: ${this.host}(${promptStateFor(this.state)}) ${this.commandCount}] `;
  }

  /** `Connecting to …`, then the session starts in the background (commands wait for it). */
  begin(banner: { welcome: boolean; jline: boolean }): void {
    this.text(`Connecting to ${this.config.server}\n`);
    this.openSession(this.config.server);
    if (banner.welcome) {
      this.text('Welcome to ZooKeeper!\n');
      this.text(`JLine support is ${banner.jline ? 'enabled' : 'disabled'}\n`);
    }
  }

  /** True once connected; false (exit code 2, message on stderr) when the connect attempt failed. */
  async waitConnected(): Promise<boolean> {
    return this.session ? this.session.connected : false;
  }

  /** Runs one input line as zkCli does: empty lines are ignored and not counted. */
  async executeLine(line: string): Promise<void> {
    const tokens = tokenize(line);
    if (tokens.length === 0) return;
    this.history.set(this.commandCount, line);
    await this.process(tokens);
    this.commandCount++;
  }

  /** Runs already-split arguments (one-shot mode). */
  async executeArgs(tokens: string[]): Promise<void> {
    this.history.set(this.commandCount, tokens.join(' '));
    await this.process(tokens);
    this.commandCount++;
  }

  /** Ends the session without printing (end of input, one-shot mode), as zkCli's System.exit does. */
  async finish(): Promise<void> {
    const s = this.session;
    if (!s) return;
    s.silent = true;
    s.closing = true;
    await s.client.close().catch(() => undefined);
  }

  /** Children of `parent` for tab completion; empty when not connected or on any error. */
  async listChildren(parent: string): Promise<string[]> {
    if (!isAlive(this.state) || this.state === 'connecting') return [];
    try {
      return (await this.session!.client.getChildren(parent)).children;
    } catch {
      return [];
    }
  }

  // ---- ShellControl (used by the shell commands) ----

  historyLines(): string[] {
    const lines: string[] = [];
    for (let i = Math.max(0, this.commandCount - historyShownBefore); i <= this.commandCount; i++) {
      lines.push(`${i} - ${this.history.get(i)}`);
    }
    return lines;
  }

  async redo(index: number): Promise<void> {
    if (index >= this.commandCount || index < 0) throw new CliError('Command index out of range', ExitCode.usage, 'USAGE');
    const line = this.history.get(index)!;
    const tokens = tokenize(line);
    if (tokens[0] === 'redo') throw new CliError('No redoing redos', ExitCode.usage, 'USAGE');
    this.history.set(this.commandCount, line);
    await this.dispatch(tokens);
  }

  async connect(server?: string): Promise<void> {
    if (this.session && isAlive(this.session.client.state)) await this.closeSession();
    this.openSession(server ?? this.host);
  }

  async closeSession(): Promise<void> {
    const s = this.session;
    if (!s) return;
    s.closing = true;
    await s.client.close();
    if (!s.closedPrinted) this.sessionEvent(s, 'Closed');
  }

  async quit(): Promise<void> {
    this.quitRequested = true;
    if (this.session && isAlive(this.session.client.state)) await this.closeSession();
  }

  // ---- internals ----

  private openSession(host: string): void {
    this.host = host;
    const client = this.config.clientFactory(host, {
      sessionTimeoutMs: this.config.sessionTimeoutMs,
      readOnly: this.config.readOnly,
    });
    const session: Session = {
      client,
      host,
      connected: Promise.resolve(false),
      connectedPrinted: false,
      connectedSynthesized: false,
      closedPrinted: false,
      silent: false,
      closing: false,
    };
    client.on('state', (state) => this.onState(session, state));
    // SASL's outcome has no client state of its own: zkCli.sh prints the None events the client delivers.
    client.on('event', (e) => {
      if (e.type === 'None' && (e.state === 'SaslAuthenticated' || e.state === 'AuthFailed')) this.sessionEvent(session, e.state);
    });
    session.connected = this.connectSession(session);
    this.session = session;
  }

  private async connectSession(s: Session): Promise<boolean> {
    try {
      await s.client.connect({ timeoutMs: this.config.connectTimeoutMs });
    } catch (err) {
      // A connect cut short by close/connect/quit, or superseded by a newer session, fails quietly.
      if (s.closing || s !== this.session) return false;
      // Stop the client's own retries.
      s.silent = true;
      await s.client.close().catch(() => undefined);
      this.config.io.stderr(`Unable to connect to ${s.host}: ${(err as Error).message}\n`);
      this.exitCode = ExitCode.connection;
      this.connectFailed = true;
      return false;
    }
    this.connectFailed = false;
    // Let a client that announces its state after resolving connect() do so first.
    await new Promise((r) => setImmediate(r));
    if (!s.connectedPrinted) {
      s.connectedSynthesized = true;
      this.sessionEvent(s, 'SyncConnected');
    }
    return true;
  }

  private onState(s: Session, state: ClientState): void {
    const keeperState = keeperStateFor(state);
    if (keeperState === undefined) return;
    if (state === 'connected' && s.connectedSynthesized) {
      s.connectedSynthesized = false;
      return;
    }
    if (state === 'closed' && s.closedPrinted) return;
    this.sessionEvent(s, keeperState);
  }

  private sessionEvent(s: Session, keeperState: string): void {
    if (keeperState === 'SyncConnected' || keeperState === 'ConnectedReadOnly') s.connectedPrinted = true;
    if (keeperState === 'Closed') s.closedPrinted = true;
    if (s.silent || s !== this.session) return;
    this.printEvent({ type: 'None', state: keeperState, path: null, zxid: -1 });
  }

  private printEvent(event: CliWatchedEvent): void {
    if (!this.printWatches) return;
    if (this.config.output === 'json') {
      // Session events would break a script's one-result-per-command stdout; node events are data.
      if (event.type !== 'None') this.config.io.stdout(JSON.stringify({ event: { ...event, text: eventText(event, this.config.eventStyle) } }) + '\n');
      return;
    }
    this.config.io.stdout(watcherBlock(event, this.config.eventStyle));
  }

  private text(s: string): void {
    if (this.config.output === 'text') this.config.io.stdout(s);
  }

  private async process(tokens: string[]): Promise<void> {
    try {
      // quit keeps the previous command's exit code, as zkCli's System.exit(exitCode) does.
      if ((await this.dispatch(tokens)) && !this.quitRequested) this.exitCode = ExitCode.ok;
    } catch (err) {
      this.report(tokens[0], err);
    }
  }

  /** Runs a command; false when it could not run for want of a session. */
  private async dispatch(tokens: string[]): Promise<boolean> {
    const [name, ...rest] = tokens;
    const spec = commands.get(name);
    if (!spec) {
      usageText().forEach((l) => this.config.io.stderr(l + '\n'));
      throw new CliError(`Command not found: Command not found ${name}`, ExitCode.usage, 'USAGE');
    }
    if (!spec.local) {
      if (this.session) await this.session.connected;
      if (!isAlive(this.state)) {
        this.notConnected(name);
        return false;
      }
    }
    await spec.run(this.context(spec), this.parse(spec, rest));
    // zkCli runs its shell commands and then still insists on a session (it prints this after `history`).
    if (spec.local && !this.quitRequested && spec.name !== 'connect' && !isAlive(this.state)) {
      this.notConnected(name);
      return false;
    }
    return true;
  }

  private parse(spec: CommandSpec, rest: string[]) {
    try {
      return parseOptions(spec.options, rest);
    } catch (err) {
      if (err instanceof OptionParseError) throw new CliError(err.message, ExitCode.usage, 'USAGE');
      throw err;
    }
  }

  private notConnected(command: string): void {
    // zkCli keeps exit code 0 here; a script needs to know the command did not run.
    this.exitCode = ExitCode.connection;
    this.text('Not connected\n');
    if (this.config.output === 'json') {
      this.config.io.stdout(JSON.stringify({ command, ok: false, code: 'NOTCONNECTED', message: 'Not connected' }) + '\n');
    }
  }

  private context(spec: CommandSpec): CommandContext {
    const { io, output } = this.config;
    const shell = this;
    return {
      zk: this.session?.client as CliClient,
      out: (line) => {
        if (output === 'text') io.stdout(line + '\n');
      },
      err: (line) => io.stderr(line + '\n'),
      json: (value) => {
        if (output === 'json') io.stdout(JSON.stringify({ command: spec.name, ok: true, ...value }) + '\n');
      },
      jsonMode: output === 'json',
      watcher: this.printWatcher,
      timeZone: this.config.timeZone,
      shell: {
        historyLines: () => shell.historyLines(),
        redo: (i) => shell.redo(i),
        get printWatches() {
          return shell.printWatches;
        },
        set printWatches(on: boolean) {
          shell.printWatches = on;
        },
        connect: (server) => shell.connect(server),
        closeSession: () => shell.closeSession(),
        quit: () => shell.quit(),
      },
    };
  }

  private report(command: string, err: unknown): void {
    const { io, output } = this.config;
    if (err instanceof CliError) {
      err.preamble.forEach((l) => io.stderr(l + '\n'));
      io.stderr(err.message + '\n');
      this.exitCode = err.exitCode;
      if (output === 'json') io.stdout(JSON.stringify({ command, ok: false, code: err.code, message: err.message }) + '\n');
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(message + '\n');
    this.exitCode = ExitCode.commandError;
    if (output === 'json') io.stdout(JSON.stringify({ command, ok: false, code: 'ERROR', message }) + '\n');
  }
}
