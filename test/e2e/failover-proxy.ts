/**
 * A TCP proxy between server processes and PostgreSQL that a test can cut, to stand in for a
 * database failover without a cluster: `cut()` resets every connection through it (what a client
 * sees when the leader dies or is fenced) and refuses new ones until `restore()` (no leader yet);
 * a cut while a batch's commit is on the wire leaves its outcome unknown to the server, which is
 * exactly the case a failover makes. Imported by tests only.
 */
import net from 'node:net';

export class CuttableProxy {
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | null = null;
  private cuts = 0;

  private port = 0;

  private constructor(private readonly target: { host: string; port: number }) {}

  /** A proxy on a free loopback port in front of `databaseUrl`'s host and port. */
  static async start(databaseUrl: string): Promise<CuttableProxy> {
    const url = new URL(databaseUrl);
    const proxy = new CuttableProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const listening = await listenPort(0, (socket) => proxy.accept(socket));
    proxy.server = listening.server;
    proxy.port = listening.port;
    return proxy;
  }

  /** `databaseUrl` with its host and port replaced by the proxy's. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Connections open through the proxy right now. */
  get openConnections(): number {
    return this.sockets.size / 2;
  }

  get cutCount(): number {
    return this.cuts;
  }

  /** Reset every connection and refuse new ones (ECONNREFUSED) until `restore()`. */
  async cut(): Promise<void> {
    this.cuts++;
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    await closed;
  }

  /** Accept connections again, on the same port. */
  async restore(): Promise<void> {
    if (this.server) return;
    this.server = (await listenPort(this.port, (socket) => this.accept(socket))).server;
  }

  /** A failover window: cut, wait `ms`, restore. */
  async cutFor(ms: number): Promise<void> {
    await this.cut();
    await new Promise((resolve) => setTimeout(resolve, ms));
    await this.restore();
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(client).add(upstream);
    const drop = () => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      if (!client.destroyed) client.destroy();
      if (!upstream.destroyed) upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

function listenPort(
  port: number,
  onConnection: (socket: net.Socket) => void,
): Promise<{ server: net.Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ noDelay: true }, onConnection);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as net.AddressInfo).port });
    });
  });
}
