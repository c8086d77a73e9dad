package ai.avala.agents.callback;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Decides whether a callback URL may be called, and pins the address that was checked so that the
 * connection goes exactly there (no second DNS answer can redirect it). Only {@code https} to public
 * addresses is allowed; {@code allowLocal} (the local stack's flag) additionally admits {@code http} and
 * loopback receivers, and nothing else.
 */
public final class UrlGuard {

    public static final int MAX_LENGTH = 2048;
    private static final Pattern NUMERIC_HOST =
            Pattern.compile("(?i)(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+)){0,3}\\.?");
    private static final Pattern CANONICAL_IPV4 =
            Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

    /** A URL that passed the checks, with the address to connect to. */
    public record Target(URI uri, String host, int port, boolean tls, InetAddress address) {
        public String requestPath() {
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        }

        public String hostHeader() {
            boolean defaultPort = (tls && port == 443) || (!tls && port == 80);
            String name = host.contains(":") ? "[" + host + "]" : host;
            return defaultPort ? name : name + ":" + port;
        }
    }

    private final boolean allowLocal;

    public UrlGuard(boolean allowLocal) {
        this.allowLocal = allowLocal;
    }

    /** Checks a URL when an agent is registered: its form, and its addresses where the host resolves now. */
    public void checkRegistration(String url) throws UnsafeUrlException {
        URI uri = parse(url);
        try {
            checkAddresses(InetAddress.getAllByName(hostOf(uri)));
        } catch (UnknownHostException e) {
            // A name that does not resolve yet is not unsafe; every delivery checks again.
        }
    }

    /** Checks a URL right before a call and returns the pinned target. */
    public Target resolve(String url) throws UnsafeUrlException {
        URI uri = parse(url);
        String host = hostOf(uri);
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new UnsafeUrlException("Callback host " + host + " does not resolve.");
        }
        checkAddresses(addresses);
        boolean tls = "https".equals(uri.getScheme());
        int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
        return new Target(uri, host, port, tls, addresses[0]);
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
        if (NUMERIC_HOST.matcher(uri.getHost()).matches() && !CANONICAL_IPV4.matcher(uri.getHost()).matches()) {
            // 2130706433, 0x7f000001, 017700000001, 127.1: resolvers disagree on these, so none is allowed.
            throw new UnsafeUrlException("Callback URL host uses a non-standard IP address notation.");
        }
        return uri;
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
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            InetAddress embedded = embeddedIpv4(b);
            if (embedded != null) {
                return forbiddenReason(embedded);
            }
            if (v6.isLoopbackAddress()) {
                return "loopback";
            }
            if (v6.isAnyLocalAddress()) {
                return "unspecified";
            }
            if (v6.isLinkLocalAddress() || v6.isSiteLocalAddress()) {
                return "link-local";
            }
            if (v6.isMulticastAddress()) {
                return "multicast";
            }
            if ((b[0] & 0xFE) == 0xFC) {
                return "private";
            }
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) {
                return "tunnelled (Teredo)";
            }
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && (b[3] & 0xff) == 0xb8) {
                return "documentation";
            }
            return null;
        }
        byte[] b = address.getAddress();
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isAnyLocalAddress() || first == 0) {
            return "unspecified";
        }
        if (first == 169 && second == 254) {
            return "link-local or cloud-metadata";
        }
        if (address.isSiteLocalAddress()) {
            return "private";
        }
        if (first == 100 && second >= 64 && second <= 127) {
            return "carrier-grade NAT";
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        if (first >= 240) {
            return "reserved or broadcast";
        }
        if ((first == 192 && second == 0 && (b[2] & 0xff) == 0) || (first == 198 && (second == 18 || second == 19))) {
            return "reserved";
        }
        if ((first == 192 && second == 0 && (b[2] & 0xff) == 2) || (first == 198 && second == 51 && (b[2] & 0xff) == 100)
                || (first == 203 && second == 0 && (b[2] & 0xff) == 113)) {
            return "documentation";
        }
        return null;
    }

    /** The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 address, if any. */
    private static InetAddress embeddedIpv4(byte[] b) {
        boolean zeroPrefix = true;
        for (int i = 0; i < 10; i++) {
            zeroPrefix &= b[i] == 0;
        }
        boolean mapped = zeroPrefix && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = zeroPrefix && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0);
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
        try {
            if (mapped || compatible || nat64) {
                return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
            }
            if (b[0] == 0x20 && b[1] == 0x02) {
                return Inet4Address.getByAddress(new byte[] {b[2], b[3], b[4], b[5]});
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }
}
