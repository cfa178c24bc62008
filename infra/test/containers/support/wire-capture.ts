// Reads what crosses the zone networks with tcpdump: the view of an attacker who could sniff them (which
// CAP_NET_RAW, dropped in every service container, would take). One capture container per service joins that
// service's network namespace and listens on all of its interfaces, so every segment a service sends or
// receives on a zone network is seen (each twice: at both ends). The capture containers hold only the
// capabilities tcpdump needs, so the suite runs as any user who may use Docker; no root on the host.
// Passive: they send nothing. The image is airlock/capture (infra/scripts/build-capture-image.sh).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { TEST_LABEL, type LaunchedNetwork, type LaunchedStack } from './stack-launcher.js';

const CAPTURE_SETTLE_MS = 2000;
const CAPTURE_IMAGE = `airlock/capture:${process.env.AIRLOCK_IMAGE_TAG ?? 'dev'}`;
/**
 * NET_RAW opens the capture socket; SETUID and SETGID let tcpdump drop to its own user before it reads a
 * packet. Nothing else: no NET_ADMIN, since capturing on `any` never switches an interface to promiscuous mode.
 */
const CAPTURE_CAPABILITIES = ['NET_RAW', 'SETUID', 'SETGID'];

export interface Segment {
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
  readonly payload: Buffer;
}

export interface Capture {
  /** Stops every tcpdump and returns the TCP segments with a payload (each once per end it was seen at). */
  stop(): Promise<Segment[]>;
  /** How many packets the capture containers wrote, together (after stop). */
  packetsCaptured(): number;
}

/** Why the capture cannot run here, or undefined when it can. */
export function captureUnavailable(): string | undefined {
  if (spawnSync('docker', ['image', 'inspect', CAPTURE_IMAGE], { stdio: 'ignore' }).status !== 0)
    return `the image ${CAPTURE_IMAGE} is missing (infra/scripts/build-capture-image.sh builds it)`;
  return undefined;
}

/**
 * Starts capturing every service of `stack` on its internal zone networks (the view a sniffer there would have);
 * throws when the capture cannot run here. Returns the capture and those networks.
 */
export async function captureInternalZones(
  stack: LaunchedStack,
): Promise<{ capture: Capture; internal: LaunchedNetwork[] }> {
  const unavailable = captureUnavailable();
  if (unavailable !== undefined) throw new Error(`cannot watch the zone networks: ${unavailable}`);
  const internal = Object.values(stack.networks).filter((network) => network.internal);
  const capture = await startCapture(
    Object.values(stack.services).map((service) => service.containerId),
    internal.map((network) => network.subnet),
  );
  return { capture, internal };
}

interface RunningCapture {
  readonly child: ChildProcess;
  readonly pcap: Buffer[];
  readonly stderr: () => string;
}

/** Captures TCP in each given container's network namespace, limited to the given subnets (CIDR). */
export async function startCapture(
  containerIds: readonly string[],
  subnets: readonly string[],
): Promise<Capture> {
  const filter = `tcp and (${subnets.map((subnet) => `net ${subnet}`).join(' or ')})`;
  const runId = randomBytes(4).toString('hex');
  const captures = await Promise.all(
    containerIds.map((containerId, index) =>
      startOne(`airlock-capture-${runId}-${index}`, containerId, filter),
    ),
  );
  // tcpdump says "listening" a moment before packets reach it.
  await new Promise((resolve) => setTimeout(resolve, CAPTURE_SETTLE_MS));
  let packets = 0;
  return {
    packetsCaptured: () => packets,
    stop: async () => {
      await new Promise((resolve) => setTimeout(resolve, CAPTURE_SETTLE_MS));
      const segments: Segment[] = [];
      for (const capture of captures) {
        await stopOne(capture);
        const said = capture.stderr();
        packets += Number(/(\d+) packets? captured/.exec(said)?.[1] ?? Number.NaN);
        const file = Buffer.concat(capture.pcap);
        if (file.length < 24) throw new Error(`tcpdump wrote no capture: ${said}`);
        segments.push(...parsePcap(file));
      }
      return segments;
    },
  };
}

async function startOne(name: string, containerId: string, filter: string): Promise<RunningCapture> {
  // --immediate-mode: otherwise packets wait in the kernel's ring for a full block or a timeout, and those
  // still waiting at SIGINT are never counted. `-w -`: the capture streams to this process, no file to share.
  const args = [
    'run',
    '--rm',
    '--name',
    name,
    '--label',
    `${TEST_LABEL}=true`,
    '--network',
    `container:${containerId}`,
    '--cap-drop',
    'ALL',
    ...CAPTURE_CAPABILITIES.flatMap((capability) => ['--cap-add', capability]),
    '--security-opt',
    'no-new-privileges:true',
    '--read-only',
    CAPTURE_IMAGE,
    ...['-i', 'any', '--immediate-mode', '-w', '-', '-U', '-s', '0', '-n', filter],
  ];
  const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const pcap: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => pcap.push(chunk));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('listening on')) resolve();
    });
    child.once('exit', (code) => {
      reject(new Error(`the capture in ${containerId} exited ${String(code)}: ${stderr}`));
    });
  });
  return { child, pcap, stderr: () => stderr };
}

/** SIGINT to `docker run` reaches tcpdump (signal proxying), which then flushes and prints its counts. */
async function stopOne(capture: RunningCapture): Promise<void> {
  await new Promise<void>((resolve) => {
    capture.child.removeAllListeners('exit');
    if (capture.child.exitCode !== null) {
      resolve();
      return;
    }
    capture.child.once('exit', () => {
      resolve();
    });
    capture.child.kill('SIGINT');
  });
}

/** Whether an IPv4 address lies in a subnet (CIDR): which zone network a captured segment travelled on. */
export function inSubnet(address: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const toNumber = (ip: string): number =>
    ip.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(address) / size) === Math.floor(toNumber(base) / size);
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
