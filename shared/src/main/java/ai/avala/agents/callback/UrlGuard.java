package ai.avala.agents.callback;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Decides whether a callback URL may be called, and pins the addresses that were checked so that the
 * connection goes exactly there (no second DNS answer can redirect it). Only {@code https} to public
 * addresses on port 443 or a port above 1023 is allowed; {@code allowLocal} (the local stack's flag)
 * additionally admits {@code http} and loopback receivers, and nothing else.
 */
public final class UrlGuard {

    public static final int MAX_LENGTH = 2048;
    private static final Pattern NUMERIC_HOST =
            Pattern.compile("(?i)(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+)){0,3}\\.?");
    private static final Pattern CANONICAL_IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

    /**
     * The form a callback URL must have to be registered (outside the local stack), exactly as openapi.yaml
     * states it: https, a DNS host name (no IP address: a receiver is addressed by the name its certificate
     * carries, and no address notation can slip past), port 443 or 1024-65535, and a path and query of
     * percent-encoded ASCII (RFC 3986), no credentials, no fragment.
     */
    public static final String REGISTRATION_FORM = "^https://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+"
            + "[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            + "(?::(?:443|102[4-9]|10[3-9][0-9]|1[1-9][0-9]{2}|[2-9][0-9]{3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}"
            + "|655[0-2][0-9]|6553[0-5]))?"
            + "(?:[/?](?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$";

    private static final Pattern REGISTRATION = Pattern.compile(REGISTRATION_FORM);

    /** A block of addresses and why it may not be called. */
    private record Range(BigInteger first, int prefixLength, int bits, String reason) {

        static Range of(String cidr, String reason) {
            int slash = cidr.indexOf('/');
            byte[] address;
            try {
                address = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(cidr, e);
            }
            return new Range(
                    new BigInteger(1, address),
                    Integer.parseInt(cidr.substring(slash + 1)),
                    address.length * 8,
                    reason);
        }

        boolean contains(byte[] address) {
            return address.length * 8 == bits
                    && new BigInteger(1, address)
                            .shiftRight(bits - prefixLength)
                            .equals(first.shiftRight(bits - prefixLength));
        }
    }

    /** IPv4: everything is callable except these (IANA special-purpose registry, and cloud metadata). */
    private static final List<Range> FORBIDDEN_IPV4 = List.of(
            Range.of("0.0.0.0/8", "unspecified"),
            Range.of("10.0.0.0/8", "private"),
            Range.of("100.64.0.0/10", "carrier-grade NAT"),
            Range.of("127.0.0.0/8", "loopback"),
            Range.of("169.254.0.0/16", "link-local or cloud-metadata"),
            Range.of("172.16.0.0/12", "private"),
            Range.of("192.0.0.0/24", "reserved"),
            Range.of("192.0.2.0/24", "documentation"),
            Range.of("192.88.99.0/24", "reserved"),
            Range.of("192.168.0.0/16", "private"),
            Range.of("198.18.0.0/15", "reserved"),
            Range.of("198.51.100.0/24", "documentation"),
            Range.of("203.0.113.0/24", "documentation"),
            Range.of("224.0.0.0/4", "multicast"),
            Range.of("240.0.0.0/4", "reserved or broadcast"));
    /**
     * IPv6: only global unicast (2000::/3) is callable, less the IANA special-purpose blocks inside it. This
     * settles every IPv4-in-IPv6 form too (mapped, compatible, NAT64 64:ff9b::/96 and 64:ff9b:1::/48): none
     * of them is global unicast.
     */
    private static final Range GLOBAL_UNICAST_IPV6 = Range.of("2000::/3", "");

    private static final List<Range> FORBIDDEN_IPV6 = List.of(
            Range.of("2001:db8::/32", "documentation"),
            Range.of("2001::/23", "reserved (IETF protocol assignments, Teredo)"),
            Range.of("2002::/16", "tunnelled (6to4)"),
            Range.of("3fff::/20", "documentation"));
    private static final List<Range> NAMED_IPV6 = List.of(
            Range.of("::1/128", "loopback"),
            Range.of("::/128", "unspecified"),
            Range.of("fe80::/10", "link-local"),
            Range.of("fc00::/7", "private"),
            Range.of("ff00::/8", "multicast"));

    /** A URL that passed the checks, with the addresses the connection may go to (all of them checked). */
    public record Target(URI uri, String host, int port, boolean tls, List<InetAddress> addresses) {
        public Target {
            addresses = List.copyOf(addresses);
        }
    }

    private final boolean allowLocal;

    /** Names to addresses: the system's resolver, or a test's. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final Resolver resolver;

    public UrlGuard(boolean allowLocal) {
        this(allowLocal, InetAddress::getAllByName);
    }

    public UrlGuard(boolean allowLocal, Resolver resolver) {
        this.allowLocal = allowLocal;
        this.resolver = resolver;
    }

    /** Checks a URL when an agent is registered: its form, and its addresses where the host resolves now. */
    public List<InetAddress> checkRegistration(String url) throws UnsafeUrlException {
        URI uri = parse(url);
        if (!allowLocal && !REGISTRATION.matcher(url).matches()) {
            throw new UnsafeUrlException("Callback URL must be https://<host name>[:port]/<path>: a DNS name (no IP "
                    + "address), port 443 or 1024-65535, the path and query percent-encoded ASCII.");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(hostOf(uri));
        } catch (UnknownHostException e) {
            // A name that does not resolve yet is not unsafe; every delivery checks again.
            return List.of();
        }
        checkAddresses(addresses);
        return List.of(addresses);
    }

    /** As {@link #resolve(String, Duration)}, within 10 s. */
    public Target resolve(String url) throws UnsafeUrlException, CallbackFailedException {
        return resolve(url, Duration.ofSeconds(10));
    }

    /**
     * Checks a URL right before a call and returns the pinned target, resolving its host within {@code within}
     * (a slow resolver must not push a delivery past its function's timeout).
     */
    public Target resolve(String url, Duration within) throws UnsafeUrlException, CallbackFailedException {
        URI uri = parse(url);
        String host = hostOf(uri);
        InetAddress[] addresses;
        var lookup = new java.util.concurrent.FutureTask<>(() -> resolver.resolve(host));
        Thread.ofVirtual().name("resolve-callback-host").start(lookup);
        try {
            addresses = lookup.get(Math.max(1, within.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            lookup.cancel(true);
            throw new CallbackFailedException(
                    "Callback host " + host + " did not resolve within " + within.toMillis() + " ms.");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException) {
                throw new UnsafeUrlException("Callback host " + host + " does not resolve.");
            }
            throw new CallbackFailedException("Callback host " + host + " could not be resolved.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallbackFailedException("Callback host " + host + " could not be resolved.");
        }
        checkAddresses(addresses);
        boolean tls = "https".equals(uri.getScheme());
        return new Target(uri, host, port(uri), tls, List.of(addresses));
    }

    private URI parse(String url) throws UnsafeUrlException {
        if (url == null || url.isBlank()) {
            throw new UnsafeUrlException("Callback URL is empty.");
        }
        if (url.length() > MAX_LENGTH) {
            throw new UnsafeUrlException("Callback URL is longer than " + MAX_LENGTH + " characters.");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new UnsafeUrlException("Callback URL is not a valid URL.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || uri.getHost().isBlank()) {
            throw new UnsafeUrlException("Callback URL must be an absolute URL with a host.");
        }
        if (!"https".equals(scheme) && !(allowLocal && "http".equals(scheme))) {
            throw new UnsafeUrlException("Callback URL must use https.");
        }
        if (!scheme.equals(uri.getScheme())) {
            throw new UnsafeUrlException("Callback URL scheme must be lower case.");
        }
        if (uri.getRawUserInfo() != null) {
            throw new UnsafeUrlException("Callback URL must not contain credentials.");
        }
        if (uri.getRawFragment() != null) {
            throw new UnsafeUrlException("Callback URL must not contain a fragment.");
        }
        if (uri.getHost().endsWith(".")) {
            // "example.com." and "example.com" name one host; TLS names and virtual hosts disagree on it.
            throw new UnsafeUrlException("Callback URL host must not end with a dot.");
        }
        if (NUMERIC_HOST.matcher(uri.getHost()).matches()
                && !CANONICAL_IPV4.matcher(uri.getHost()).matches()) {
            // 2130706433, 0x7f000001, 017700000001, 127.1: resolvers disagree on these, so none is allowed.
            throw new UnsafeUrlException("Callback URL host uses a non-standard IP address notation.");
        }
        int port = port(uri);
        if (port < 1 || port > 65535) {
            throw new UnsafeUrlException("Callback URL port must be from 1 to 65535.");
        }
        if (port < 1024 && port != 443 && !(allowLocal && port == 80)) {
            // The test operation must not become a probe of third parties' mail, database or admin ports.
            throw new UnsafeUrlException("Callback URL port must be 443 or above 1023.");
        }
        return uri;
    }

    private static int port(URI uri) {
        return uri.getPort() == -1 ? ("https".equals(uri.getScheme()) ? 443 : 80) : uri.getPort();
    }

    private static String hostOf(URI uri) {
        String host = uri.getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private void checkAddresses(InetAddress[] addresses) throws UnsafeUrlException {
        for (InetAddress address : addresses) {
            if (allowLocal && address.isLoopbackAddress()) {
                continue;
            }
            String reason = forbiddenReason(address);
            if (reason != null) {
                throw new UnsafeUrlException("Callback URL points to a " + reason + " address, which is not allowed.");
            }
        }
    }

    /** Why an address may not be called, or null when it is a public unicast address. */
    static String forbiddenReason(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            if (!GLOBAL_UNICAST_IPV6.contains(bytes)) {
                return NAMED_IPV6.stream()
                        .filter(range -> range.contains(bytes))
                        .map(Range::reason)
                        .findFirst()
                        .orElse("non-global IPv6");
            }
            return FORBIDDEN_IPV6.stream()
                    .filter(range -> range.contains(bytes))
                    .map(Range::reason)
                    .findFirst()
                    .orElse(null);
        }
        return FORBIDDEN_IPV4.stream()
                .filter(range -> range.contains(bytes))
                .map(Range::reason)
                .findFirst()
                .orElse(null);
    }
}
