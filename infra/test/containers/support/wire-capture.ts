// Reads what crosses the zone networks with tcpdump on the host: the view of an attacker who could sniff them
// (which CAP_NET_RAW, dropped in every container, would take). It listens on every interface (`-i any`, so on
// each container's veth; a bridge device alone shows forwarded frames only unreliably) and keeps the packets of
// the zones' subnets. Passive: it sends nothing. Needs tcpdump and root (ensure-docker.sh installs tcpdump;
// CI runs as root).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CAPTURE_SETTLE_MS = 2000;

export interface Segment {
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
  readonly payload: Buffer;
}

export interface Capture {
  /** Stops tcpdump and returns the TCP segments with a payload (each once per interface it crossed). */
  stop(): Promise<Segment[]>;
  /** What tcpdump said (its packet counts, after stop). */
  diagnostics(): string;
}

export function tcpdumpAvailable(): string | undefined {
  if (spawnSync('tcpdump', ['--version']).status !== 0)
    return 'tcpdump is not installed (ensure-docker.sh installs it)';
  if (process.getuid?.() !== 0) return 'capturing needs root';
  return undefined;
}

/** Captures TCP on every interface, limited to the given subnets (CIDR). */
export async function startCapture(subnets: readonly string[]): Promise<Capture> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-capture-'));
  const file = join(dir, 'zones.pcap');
  const filter = `tcp and (${subnets.map((subnet) => `net ${subnet}`).join(' or ')})`;
  let stderr = '';
  // --immediate-mode: otherwise packets wait in the kernel's ring for a full block or a timeout, and those still
  // waiting at SIGINT are never counted. -Z root: tcpdump would otherwise drop to its own user, which cannot
  // write into this private folder.
  const args = ['-i', 'any', '--immediate-mode', '-w', file, '-U', '-s', '0', '-n', '-Z', 'root', filter];
  const child: ChildProcess = spawn('tcpdump', args, {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('listening on')) resolve();
    });
    child.once('exit', (code) => {
      reject(new Error(`tcpdump exited ${String(code)}: ${stderr}`));
    });
  });
  // tcpdump says "listening" a moment before packets reach it.
  await new Promise((resolve) => setTimeout(resolve, CAPTURE_SETTLE_MS));
  return {
    diagnostics: () => stderr,
    stop: async () => {
      await new Promise((resolve) => setTimeout(resolve, CAPTURE_SETTLE_MS));
      await new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGINT');
      });
      if (!existsSync(file)) throw new Error(`tcpdump wrote nothing: ${stderr}`);
      const segments = parsePcap(readFileSync(file));
      rmSync(dir, { recursive: true, force: true });
      return segments;
    },
  };
}

/** IPv4/TCP segments with a payload from a classic pcap file (Ethernet or Linux cooked, as tcpdump -w writes). */
export function parsePcap(file: Buffer): Segment[] {
  const magic = file.readUInt32LE(0);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const u32 = (offset: number): number => (little ? file.readUInt32LE(offset) : file.readUInt32BE(offset));
  const linkType = u32(20);
  // Ethernet: 14-byte header, EtherType at 12. Linux cooked v1 (-i any): 16 bytes, at 14. v2: 20 bytes, at 0.
  const layout = { 1: { header: 14, type: 12 }, 113: { header: 16, type: 14 }, 276: { header: 20, type: 0 } }[
    linkType
  ];
  if (layout === undefined) throw new Error(`unexpected pcap link type ${linkType}`);
  const segments: Segment[] = [];
  let offset = 24;
  while (offset + 16 <= file.length) {
    const captured = u32(offset + 8);
    const frame = file.subarray(offset + 16, offset + 16 + captured);
    offset += 16 + captured;
    if (frame.length < layout.header + 20 || frame.readUInt16BE(layout.type) !== 0x0800) continue;
    const ip = frame.subarray(layout.header);
    const ipHeader = (ip.readUInt8(0) & 0x0f) * 4;
    if (ip.readUInt8(9) !== 6) continue;
    const totalLength = ip.readUInt16BE(2);
    const tcp = ip.subarray(ipHeader, totalLength);
    const tcpHeader = (tcp.readUInt8(12) >> 4) * 4;
    const payload = tcp.subarray(tcpHeader);
    if (payload.length === 0) continue;
    segments.push({
      source: [...ip.subarray(12, 16)].join('.'),
      sourcePort: tcp.readUInt16BE(0),
      destination: [...ip.subarray(16, 20)].join('.'),
      destinationPort: tcp.readUInt16BE(2),
      payload: Buffer.from(payload),
    });
  }
  return segments;
}
