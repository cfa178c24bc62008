// Who "the client" is, for every per-client limit (rate limits, the share of token exchanges, connections) and
// for the address the gateway asserts to auth. One explicit mode, chosen in config:
//
//   peer             the socket's peer address; every header is ignored (the default: the gateway is the edge).
//   x-forwarded-for  the rightmost X-Forwarded-For entry that is not a trusted proxy, only when the peer itself
//                    is a trusted proxy; from any other peer the header is ignored and the peer is the client.
//   forwarded        the same over the `for=` parameters of RFC 7239 Forwarded.
//
// The limit key of an address: IPv4 (and IPv4-mapped IPv6) by the address, IPv6 by its /64, since one host
// usually holds a whole /64 and could otherwise rotate through 2^64 keys. A header entry that is not an IP
// address ends the walk: the nearest hop the gateway can vouch for (a trusted proxy) is then the client.
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

export const CLIENT_ADDRESS_MODES = ['peer', 'x-forwarded-for', 'forwarded'] as const;
export type ClientAddressMode = (typeof CLIENT_ADDRESS_MODES)[number];

export interface ClientAddressOptions {
  readonly mode: ClientAddressMode;
  /** Addresses or CIDRs (`10.0.0.0/8`, `2001:db8::/32`) of the proxies whose header is believed. */
  readonly trustedProxies: readonly string[];
}

/** The peer of a socket whose address node could not tell (already closed): one shared, strict bucket. */
const UNKNOWN_PEER = 'unknown';
const MAPPED_IPV4 = '::ffff:';

/** A trusted-proxy entry, checked as config is parsed: an IP address or an IP/prefix. */
export function isAddressOrCidr(entry: string): boolean {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return false;
  if (slash === -1) return true;
  const prefix = entry.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export class ClientAddresses {
  readonly #mode: ClientAddressMode;
  readonly #trusted = new BlockList();
  readonly #hasTrusted: boolean;

  constructor(options: ClientAddressOptions) {
    if (!CLIENT_ADDRESS_MODES.includes(options.mode)) {
      throw new TypeError(`ClientAddresses: option "mode" must be one of ${CLIENT_ADDRESS_MODES.join(', ')}`);
    }
    for (const entry of options.trustedProxies) {
      if (!isAddressOrCidr(entry)) {
        throw new TypeError(
          `ClientAddresses: option "trustedProxies" has an entry that is not an IP or CIDR`,
        );
      }
      const slash = entry.indexOf('/');
      const address = slash === -1 ? entry : entry.slice(0, slash);
      const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (slash === -1) this.#trusted.addAddress(address, type);
      else this.#trusted.addSubnet(address, Number(entry.slice(slash + 1)), type);
    }
    this.#hasTrusted = options.trustedProxies.length > 0;
    if (options.mode !== 'peer' && !this.#hasTrusted) {
      throw new TypeError(`ClientAddresses: mode "${options.mode}" needs at least one trusted proxy`);
    }
    this.#mode = options.mode;
  }

  /** The client's address for this request, canonical (IPv4-mapped IPv6 as IPv4). */
  addressOf(req: IncomingMessage): string {
    const peer = canonicalAddress(req.socket.remoteAddress);
    if (this.#mode === 'peer' || !this.isTrustedProxy(peer)) return peer;
    const raw = this.#mode === 'forwarded' ? req.headers.forwarded : req.headers['x-forwarded-for'];
    // node joins repeated headers with ', ' (the order they came in); the types allow an array as well.
    const header = Array.isArray(raw) ? raw.join(',') : raw;
    if (header === undefined || header === '') return peer;
    const hops = this.#mode === 'forwarded' ? forwardedFor(header) : header.split(',');
    return this.#rightmostUntrusted(hops, peer);
  }

  /** The key per-client limits count under: an IPv4 address, or an IPv6 address's /64. */
  keyOf(address: string): string {
    return address.includes(':') ? ipv6Prefix64(address) : address;
  }

  /** Whether the peer is one of the configured proxies (whose connections carry many clients). */
  isTrustedProxy(address: string): boolean {
    if (!this.#hasTrusted) return false;
    const family = isIP(address);
    return family !== 0 && this.#trusted.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** The peer of a raw socket, before any header is read: the connection cap's client. */
  static peerOf(remoteAddress: string | undefined): string {
    return canonicalAddress(remoteAddress);
  }

  /** From the right: skip the trusted proxies, the first other address is the client. */
  #rightmostUntrusted(hops: readonly string[], peer: string): string {
    let nearest = peer;
    for (let index = hops.length - 1; index >= 0; index -= 1) {
      const address = hopAddress(hops[index] ?? '');
      if (address === undefined) return nearest;
      if (!this.isTrustedProxy(address)) return address;
      nearest = address;
    }
    // Every hop is a trusted proxy: the leftmost one is where the request came from.
    return nearest;
  }
}

function canonicalAddress(address: string | undefined): string {
  if (address === undefined || address === '') return UNKNOWN_PEER;
  if (address.startsWith(MAPPED_IPV4) && address.includes('.')) return address.slice(MAPPED_IPV4.length);
  return address;
}

/**
 * One hop of X-Forwarded-For or one RFC 7239 `for=` value, as an address: `192.0.2.1`, `192.0.2.1:4711`,
 * `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:4711`; anything else (`unknown`, `_hidden`) is undefined.
 */
function hopAddress(raw: string): string | undefined {
  let value = raw.trim();
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close === -1) return undefined;
    const rest = value.slice(close + 1);
    if (rest !== '' && !/^:[0-9]{1,5}$/.test(rest)) return undefined;
    value = value.slice(1, close);
    return isIP(value) === 6 ? canonicalAddress(value) : undefined;
  }
  const colon = value.indexOf(':');
  if (colon !== -1 && colon === value.lastIndexOf(':')) {
    if (!/^[0-9]{1,5}$/.test(value.slice(colon + 1))) return undefined;
    value = value.slice(0, colon);
    return isIP(value) === 4 ? value : undefined;
  }
  return isIP(value) === 0 ? undefined : canonicalAddress(value);
}

/** The `for=` value of each element of an RFC 7239 Forwarded header, in order (quotes removed). */
function forwardedFor(header: string): string[] {
  const hops: string[] = [];
  for (const element of splitOutsideQuotes(header, ',')) {
    let hop = '';
    for (const pair of splitOutsideQuotes(element, ';')) {
      const equals = pair.indexOf('=');
      if (equals === -1 || pair.slice(0, equals).trim().toLowerCase() !== 'for') continue;
      hop = pair.slice(equals + 1).trim();
      if (hop.length >= 2 && hop.startsWith('"') && hop.endsWith('"')) hop = hop.slice(1, -1);
    }
    // An element without `for=` is a hop the gateway cannot place: it ends the walk like `unknown` does.
    hops.push(hop);
  }
  return hops;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '"') quoted = !quoted;
    else if (char === '\\' && quoted) index += 1;
    else if (char === separator && !quoted) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** `2001:db8:1:2::/64` for any address in that /64 (zone id dropped, groups in their shortest form). */
function ipv6Prefix64(address: string): string {
  const zone = address.indexOf('%');
  const bare = zone === -1 ? address : address.slice(0, zone);
  const gap = bare.indexOf('::');
  const head = gap === -1 ? bare : bare.slice(0, gap);
  const headGroups = head === '' ? [] : head.split(':');
  let groups = headGroups;
  if (gap !== -1 && headGroups.length < 4) {
    const tail = bare.slice(gap + 2);
    const tailGroups = tail === '' ? [] : tail.split(':');
    // A dotted IPv4 tail fills two groups.
    const tailSize = tailGroups.length + (tail.includes('.') ? 1 : 0);
    const zeros = Array.from({ length: 8 - headGroups.length - tailSize }, () => '0');
    groups = [...headGroups, ...zeros, ...tailGroups];
  }
  const prefix = groups.slice(0, 4).map((group) => Number.parseInt(group, 16).toString(16));
  return `${prefix.join(':')}::/64`;
}
