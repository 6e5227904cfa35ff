import { verifyMandoSignature } from '../../../nodes/shared/signature';
import {
	SECRET,
	api,
	boot,
	createWebhook,
	emulator,
	receiver,
	closeAfterEach,
} from '../../harness/emulatorSession';

/** The webhook rules of the emulator: HTTPS, documented events, the webhook resource switch, per-webhook secrets. */

closeAfterEach();

describe('webhook resource', () => {
	test('https only unless allowHttp; events must be documented and non-empty', async () => {
		await boot({ allowHttp: false });
		const http422 = await api('/secure/webhook', {
			method: 'POST',
			json: { url: receiver.url, events: ['sale.created'] },
		});
		expect(http422.status).toBe(422);
		expect(http422.body).toMatchObject({
			code: 'VALIDATION_FAILED',
			message: expect.stringContaining('https'),
		});
		const https201 = await api('/secure/webhook', {
			method: 'POST',
			json: { url: 'https://example.invalid/hook', events: ['sale.created'] },
		});
		expect(https201.status).toBe(201);
		const noEvents = await api('/secure/webhook', {
			method: 'POST',
			json: { url: 'https://example.invalid/hook', events: [] },
		});
		expect(noEvents.status).toBe(422);
		const badEvent = await api('/secure/webhook', {
			method: 'POST',
			json: { url: 'https://example.invalid/hook', events: ['sale.exploded'] },
		});
		expect(badEvent.status).toBe(422);
		expect((badEvent.body as { message: string }).message).toContain('sale.exploded');

		emulator.setConfig({ allowHttp: true });
		expect(
			(
				await api('/secure/webhook', {
					method: 'POST',
					json: { url: receiver.url, events: ['sale.created'] },
				})
			).status,
		).toBe(201);
		expect(emulator.webhooks()).toHaveLength(2);
	});

	test('webhookResource false answers 404 NOT_FOUND on every webhook path', async () => {
		await boot({ webhookResource: false });
		for (const [path, method] of [
			['/secure/webhook', 'GET'],
			['/secure/webhook', 'POST'],
			['/secure/webhook/some-id', 'GET'],
			['/secure/webhook/some-id', 'PUT'],
		]) {
			const res = await api(path, {
				method,
				json: method === 'GET' ? undefined : { url: receiver.url, events: ['sale.created'] },
			});
			expect(res.status).toBe(404);
			expect(res.body).toMatchObject({ code: 'NOT_FOUND', message: expect.any(String) });
		}
		expect((await api('/secure/plu')).status).toBe(200);
	});

	test('per-webhook secret: returned on create only, and signs that webhook', async () => {
		await boot({ perWebhookSecrets: true });
		const hook = await createWebhook();
		expect(hook.secret).toMatch(/^[0-9a-f]{64}$/);
		const got = await api(`/secure/webhook/${hook.id}`);
		expect(got.body).not.toHaveProperty('secret');
		await emulator.emit('sale.created');
		const [delivery] = receiver.received;
		expect(
			verifyMandoSignature(delivery.raw, delivery.headers['x-mando-signature'], hook.secret).valid,
		).toBe(true);
		expect(
			verifyMandoSignature(delivery.raw, delivery.headers['x-mando-signature'], SECRET),
		).toEqual({ valid: false, reason: 'mismatch' });
	});

	test('DELETE removes a webhook for good (404 after); the admin deactivates without a disabled_reason', async () => {
		await boot();
		const a = await createWebhook();
		const b = await createWebhook();
		expect((await api(`/secure/webhook/${a.id}`, { method: 'DELETE' })).status).toBe(200);
		expect((await api(`/secure/webhook/${a.id}`)).status).toBe(404);
		expect((await api(`/secure/webhook/${a.id}`, { method: 'DELETE' })).status).toBe(404);
		expect(emulator.deleteWebhook(a.id)).toBe(false);
		emulator.deactivateWebhook(b.id);
		const got = (await api(`/secure/webhook/${b.id}`)).body as {
			active: boolean;
			data: Record<string, unknown>;
		};
		expect(got.active).toBe(false);
		expect(got.data).not.toHaveProperty('disabled_reason');
		expect(() => emulator.deactivateWebhook('missing')).toThrow('No webhook');
	});

	test('normaliseWebhookUrls stores host lower-case, no default port, a trailing slash', async () => {
		await boot({ normaliseWebhookUrls: true });
		const created = await api('/secure/webhook', {
			method: 'POST',
			json: { url: 'https://N8N.Example.FI:443/webhook/abc/webhook', events: ['sale.created'] },
		});
		expect((created.body as { url: string }).url).toBe(
			'https://n8n.example.fi/webhook/abc/webhook/',
		);
		emulator.setConfig({ normaliseWebhookUrls: false });
		const plain = await api('/secure/webhook', {
			method: 'POST',
			json: { url: 'https://N8N.Example.FI:443/webhook/abc/webhook', events: ['sale.created'] },
		});
		expect((plain.body as { url: string }).url).toBe(
			'https://N8N.Example.FI:443/webhook/abc/webhook',
		);
	});

	test('webhookHistory records each change of active state or URL and who made it; reset clears it', async () => {
		await boot();
		const a = await createWebhook();
		await api(`/secure/webhook/${a.id}`, {
			method: 'PUT',
			json: { events: ['sale.created', 'stock.low'] },
		});
		await api(`/secure/webhook/${a.id}`, { method: 'PUT', json: { active: false } });
		await api(`/secure/webhook/${a.id}`, { method: 'PUT', json: { active: true } });
		emulator.deactivateWebhook(a.id);
		await api(`/secure/webhook/${a.id}`, { method: 'DELETE' });
		expect(emulator.webhookHistory().map((c) => [c.webhookId, c.active, c.by])).toEqual([
			[a.id, true, 'api-create'],
			[a.id, false, 'api-update'],
			[a.id, true, 'api-update'],
			[a.id, false, 'admin-deactivate'],
			[a.id, false, 'api-delete'],
		]);
		expect(emulator.webhookHistory().every((c) => typeof c.at === 'number')).toBe(true);
		emulator.reset();
		expect(emulator.webhookHistory()).toEqual([]);
	});
});
