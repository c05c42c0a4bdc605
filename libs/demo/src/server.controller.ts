import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

export const SERVER_IDENTITY = 'SERVER_IDENTITY';

/** Who answers: filled in once the TCP port is known. */
export interface ServerIdentity {
  name: string;
  endpoint: string;
}

export interface Reply {
  server: string;
  endpoint: string;
  pid: number;
  reply: string;
  handledMs: number;
}

/** Upper bound for the simulated work of one request (ms), so that a request cannot pin a server. */
export const workMsMax = 60_000;

@Controller()
export class ServerController {
  constructor(@Inject(SERVER_IDENTITY) private readonly identity: ServerIdentity) {}

  @MessagePattern({ cmd: 'hello' })
  hello(@Payload() payload: { message?: string } | undefined): Reply {
    return this.reply(`hello from ${this.identity.name}${payload?.message ? `: ${payload.message}` : ''}`, 0);
  }

  /** Answers after `ms` of simulated work: long enough to stop the server in the middle of a request. */
  @MessagePattern({ cmd: 'work' })
  async work(@Payload() payload: { ms?: number } | undefined): Promise<Reply> {
    const ms = Math.min(Math.max(0, Number(payload?.ms ?? 0)), workMsMax);
    await new Promise((r) => setTimeout(r, ms));
    return this.reply(`${this.identity.name} worked ${ms} ms`, ms);
  }

  private reply(text: string, handledMs: number): Reply {
    return { server: this.identity.name, endpoint: this.identity.endpoint, pid: process.pid, reply: text, handledMs };
  }
}
