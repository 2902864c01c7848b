import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DossierStore, PORTAL_CSV_HEADER } from '../../../functions/portal/dossier-store.js';
import { startPortal, type FaultPlan, type RunningPortal } from '../../../functions/portal/server.js';
import { FIXTURE_DATA_DIR, monthRows, removeTempDirs, tempDataDir, writeMonthCsv } from './helpers.js';

afterAll(removeTempDirs);

const TOKEN = 'portal-test-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const Q = (from: string, to: string, page: number, pageSize: number) => `/api/v1/dossiers?from=${from}&to=${to}&page=${page}&pageSize=${pageSize}`;
type Envelope = { page: number; pageSize: number; total: number; totalPages: number; period: { from: string; to: string }; data: Record<string, unknown>[] };

async function get(portal: RunningPortal, pathAndQuery: string, headers: Record<string, string> = AUTH) {
  const res = await fetch(`${portal.url}${pathAndQuery}`, { headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { res, bytes, json: bytes.length ? (JSON.parse(bytes.toString('utf8')) as Envelope & { code?: string; message?: string }) : undefined };
}

async function withPortal<T>(opts: { dataDir?: string; faults?: FaultPlan; allowFaultHeader?: boolean }, fn: (p: RunningPortal) => Promise<T>): Promise<T> {
  const portal = await startPortal({ dataDir: opts.dataDir ?? FIXTURE_DATA_DIR, token: TOKEN, faults: opts.faults, allowFaultHeader: opts.allowFaultHeader });
  try {
    return await fn(portal);
  } finally {
    await portal.close();
  }
}

describe('Loopback portal dossier API on the fixture files', () => {
  let portal: RunningPortal;
  beforeAll(async () => {
    portal = await startPortal({ dataDir: FIXTURE_DATA_DIR, token: TOKEN });
  });
  afterAll(async () => {
    await portal.close();
  });

  test('should listen on 127.0.0.1 only', () => {
    expect(portal.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('should refuse to start on a data directory that does not exist (it would serve an empty province)', async () => {
    const missing = `${FIXTURE_DATA_DIR}-moved-away`;
    await expect(startPortal({ dataDir: missing, token: TOKEN })).rejects.toThrow(`Failed to start the portal: data directory ${missing} does not exist`);
  });

  test('should map every CSV field to the data-contracts.md §2.4 dossier', async () => {
    const { json } = await get(portal, Q('2024-05-15', '2024-05-15', 1, 10));
    expect(json!.data).toEqual([
      {
        maHoSo: 'H99.09.01-240515-000003',
        maTTHC: '1.004,567',
        maDonVi: 'H99.09.01',
        kenh: 2,
        ngayTiepNhan: '2024-05-15T14:30:00+07:00',
        ngayHenTra: '2024-05-20T17:00:00+07:00',
        ngayKetThuc: '2024-05-21T09:00:00+07:00',
        trangThai: 'DA_TRA_KET_QUA',
        soNgayChoBoSung: 1,
        coPhi: true,
        thanhToanTrucTuyen: true,
        daSoHoa: true,
        coKetQuaDienTu: true,
        dongBoDVCQG: true,
        coPhanAnh: false,
        ngayCapNhat: '2024-05-21T09:00:00+07:00',
      },
    ]);
  });

  test('should read non-padded dates and serve pending dossiers with a null end date', async () => {
    const { json } = await get(portal, Q('2024-05-02', '2024-05-02', 1, 10));
    expect(json!.data).toMatchObject([{ maHoSo: 'H99.05-240502-000001', ngayTiepNhan: '2024-05-02T09:05:00+07:00', ngayKetThuc: null, coPhi: false }]);
  });

  test('should filter by received date across month files, inclusive at both ends', async () => {
    const { json } = await get(portal, Q('2024-05-31', '2024-06-01', 1, 10));
    expect(json!.data.map((d) => d.maHoSo)).toEqual(['H99.05-240601-000001', 'H99.09-240531-000007']);
    expect(json).toMatchObject({ total: 2, totalPages: 1, period: { from: '2024-05-31', to: '2024-06-01' } });
  });

  test('should send ETag and X-Content-SHA256 equal to the body’s sha256, and 304 for a matching If-None-Match', async () => {
    const first = await get(portal, Q('2024-05-01', '2024-05-31', 1, 3));
    const sha = createHash('sha256').update(first.bytes).digest('hex');
    expect(first.res.headers.get('x-content-sha256')).toBe(sha);
    expect(first.res.headers.get('etag')).toBe(`"${sha}"`);
    expect(Number(first.res.headers.get('content-length'))).toBe(first.bytes.length);
    const again = await get(portal, Q('2024-05-01', '2024-05-31', 1, 3), { ...AUTH, 'if-none-match': `"${sha}"` });
    expect(again.res.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    const other = await get(portal, Q('2024-05-01', '2024-05-31', 2, 3), { ...AUTH, 'if-none-match': `"${sha}"` });
    expect(other.res.status).toBe(200);
  });

  test.each([
    ['no header', {}],
    ['a wrong token', { authorization: 'Bearer nope' }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
  ])('should answer 401 with a JSON error for %s', async (_name, headers) => {
    const { res, json } = await get(portal, Q('2024-05-01', '2024-05-31', 1, 3), headers as Record<string, string>);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(json).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  test.each([
    ['pageSize over 5000', Q('2024-05-01', '2024-05-31', 1, 5001), 'pageSize must be at most 5000'],
    ['page 0', Q('2024-05-01', '2024-05-31', 0, 10), 'page'],
    ['a non-date', Q('2024-5-1', '2024-05-31', 1, 10), 'from must be YYYY-MM-DD'],
    ['an impossible date', Q('2024-02-30', '2024-05-31', 1, 10), 'from is not a calendar date'],
    ['from after to', Q('2024-06-01', '2024-05-31', 1, 10), 'from must not be after to'],
    ['no dates', '/api/v1/dossiers', 'from'],
  ])('should answer 400 for %s', async (_name, url, message) => {
    const { res, json } = await get(portal, url);
    expect(res.status).toBe(400);
    expect(json!.message).toContain(message);
  });

  test('should answer an empty page past the last one', async () => {
    const { res, json } = await get(portal, Q('2024-05-01', '2024-05-31', 9, 3));
    expect(res.status).toBe(200);
    expect(json).toMatchObject({ page: 9, total: 7, totalPages: 3, data: [] });
  });
});

describe('DossierStore', () => {
  test('should spill into a directory of its own and remove it when closed', async () => {
    const a = await DossierStore.open(path.join(FIXTURE_DATA_DIR, 'portal', 'dossiers'));
    const b = await DossierStore.open(path.join(FIXTURE_DATA_DIR, 'portal', 'dossiers'));
    expect(a.tempDirectory).not.toBe(b.tempDirectory);
    expect(path.dirname(a.tempDirectory)).toBe(os.tmpdir());
    expect(existsSync(a.tempDirectory)).toBe(true);
    await a.close();
    expect(existsSync(a.tempDirectory)).toBe(false);
    // The other store's directory is its own: still there until it closes.
    expect(existsSync(b.tempDirectory)).toBe(true);
    await b.close();
    expect(existsSync(b.tempDirectory)).toBe(false);
  });
});

describe('Loopback portal dossier API on a larger shuffled month', () => {
  test('should return every row exactly once, ordered by maHoSo, with page sizes adding up to the file', async () => {
    const dir = await tempDataDir();
    const may = monthRows('2024-05', 2_345, 3);
    await writeMonthCsv(dir, '2024-05', may.lines);
    await withPortal({ dataDir: dir }, async (portal) => {
      const ids: string[] = [];
      const sizes: number[] = [];
      for (let page = 1; page <= 3; page++) {
        const { json } = await get(portal, Q('2024-05-01', '2024-05-31', page, 1_000));
        expect(json).toMatchObject({ total: 2_345, totalPages: 3 });
        sizes.push(json!.data.length);
        ids.push(...json!.data.map((d) => String(d.maHoSo)));
      }
      expect(sizes).toEqual([1_000, 1_000, 345]);
      expect(ids).toEqual([...may.ids].sort());
    });
  });

  test('should serve unreadable values as the raw text so landing can quarantine them', async () => {
    const dir = await tempDataDir();
    const good = monthRows('2024-05', 1, 1).lines[0]!.split(',');
    const bad = [...good];
    bad[0] = 'H99.05-BAD-1';
    bad[3] = 'online';
    bad[4] = '31/02/2024 08:00';
    bad[9] = 'Co';
    bad[8] = '';
    await writeMonthCsv(dir, '2024-05', [good.join(','), bad.join(',')]);
    await withPortal({ dataDir: dir }, async (portal) => {
      const { json } = await get(portal, Q('2024-05-01', '2024-05-31', 1, 10));
      expect(json!.total).toBe(2);
      expect(json!.data.find((d) => d.maHoSo === 'H99.05-BAD-1')).toMatchObject({ kenh: 'online', ngayTiepNhan: '31/02/2024 08:00', coPhi: 'Co', soNgayChoBoSung: null });
    });
  });

  test('should fail with a 500 naming the file when its header is not the contract’s', async () => {
    const dir = await tempDataDir();
    const header: string[] = [...PORTAL_CSV_HEADER];
    header[1] = 'Ma TTHC';
    const file = await writeMonthCsv(dir, '2024-05', monthRows('2024-05', 2).lines, header);
    await withPortal({ dataDir: dir }, async (portal) => {
      const { res, json } = await get(portal, Q('2024-05-01', '2024-05-31', 1, 10));
      expect(res.status).toBe(500);
      expect(json!.message).toContain(file);
      expect(json!.message).toContain('Ma TTHC');
    });
  });
});

describe('Loopback portal fault injection', () => {
  test('should inject on every k-th matching request only', async () => {
    await withPortal({ faults: [{ fault: 503, every: 3, path: '/api/v1/dossiers' }] }, async (portal) => {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await get(portal, Q('2024-05-01', '2024-05-31', 1, 3))).res.status);
      expect(statuses).toEqual([200, 200, 503, 200, 200, 503, 200]);
      expect(portal.stats.faultsInjected).toBe(2);
    });
  });

  test('should match rules by query value and send Retry-After with 429', async () => {
    await withPortal({ faults: [{ fault: 429, first: 1, retryAfterSec: 7, query: { page: '2' } }] }, async (portal) => {
      expect((await get(portal, Q('2024-05-01', '2024-05-31', 1, 3))).res.status).toBe(200);
      const limited = await get(portal, Q('2024-05-01', '2024-05-31', 2, 3));
      expect(limited.res.status).toBe(429);
      expect(limited.res.headers.get('retry-after')).toBe('7');
      expect((await get(portal, Q('2024-05-01', '2024-05-31', 2, 3))).res.status).toBe(200);
    });
  });

  test('should ignore X-Fault unless started with allowFaultHeader', async () => {
    await withPortal({}, async (portal) => {
      expect((await get(portal, Q('2024-05-01', '2024-05-31', 1, 3), { ...AUTH, 'x-fault': '503' })).res.status).toBe(200);
    });
    await withPortal({ allowFaultHeader: true }, async (portal) => {
      const r = await get(portal, Q('2024-05-01', '2024-05-31', 1, 3), { ...AUTH, 'x-fault': '429;retry-after=3' });
      expect(r.res.status).toBe(429);
      expect(r.res.headers.get('retry-after')).toBe('3');
    });
  });

  test('should deliver a body whose sha256 differs from X-Content-SHA256 when corrupting', async () => {
    await withPortal({ allowFaultHeader: true }, async (portal) => {
      const r = await get(portal, Q('2024-05-01', '2024-05-31', 1, 3), { ...AUTH, 'x-fault': 'corrupt' });
      expect(r.res.status).toBe(200);
      expect(createHash('sha256').update(r.bytes).digest('hex')).not.toBe(r.res.headers.get('x-content-sha256'));
    });
  });

  test('should fail the body read of a truncated answer', async () => {
    await withPortal({ allowFaultHeader: true }, async (portal) => {
      await expect(get(portal, Q('2024-05-01', '2024-05-31', 1, 3), { ...AUTH, 'x-fault': 'truncate' })).rejects.toThrow();
    });
  });

  test('should keep a hanging request open until the client gives up, and still close cleanly', async () => {
    await withPortal({ faults: [{ fault: 'hang' }] }, async (portal) => {
      const r = fetch(`${portal.url}${Q('2024-05-01', '2024-05-31', 1, 3)}`, { headers: AUTH, signal: AbortSignal.timeout(200) });
      await expect(r).rejects.toThrow(/timeout|aborted/i);
      expect(portal.stats.byStatus.hang).toBe(1);
    });
  });
});

const externalIpv4 = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe('Loopback portal network exposure', () => {
  test.skipIf(!externalIpv4)('should refuse connections on a non-loopback address', async () => {
    await withPortal({}, async (portal) => {
      const outcome = await new Promise<string>((resolve) => {
        const s = net.connect({ host: externalIpv4!, port: portal.port });
        s.once('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(outcome).toBe('ECONNREFUSED');
    });
  });
});
