import { createServer, connect, type Server, type Socket } from 'net';

/**
 * A TCP forwarder on 127.0.0.1 in front of n8n, standing for the network between Mando and n8n
 * (a reverse proxy, a load balancer): `down()` makes n8n unreachable (connections refused) while
 * n8n itself keeps running; `up()` restores it on the same port.
 */
export class TcpProxy {
	private server?: Server;
	private readonly sockets = new Set<Socket>();

	private constructor(
		readonly port: number,
		private readonly targetPort: number,
	) {}

	/** Starts forwarding 127.0.0.1:`port` to 127.0.0.1:`targetPort`. */
	static async start(port: number, targetPort: number): Promise<TcpProxy> {
		const proxy = new TcpProxy(port, targetPort);
		await proxy.up();
		return proxy;
	}

	/** Accepts and forwards connections again (no-op when up). */
	async up(): Promise<void> {
		if (this.server) return;
		const server = createServer((client) => {
			const upstream = connect(this.targetPort, '127.0.0.1');
			for (const s of [client, upstream]) {
				this.sockets.add(s);
				s.on('close', () => this.sockets.delete(s));
				s.on('error', () => (client.destroy(), upstream.destroy()));
			}
			client.pipe(upstream).pipe(client);
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(this.port, '127.0.0.1', () => resolve());
		});
		this.server = server;
	}

	/** Stops listening and cuts every open connection (no-op when down). */
	async down(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		for (const s of this.sockets) s.destroy();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}
}
