package ai.avala.agents.callback;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal HTTP/1.1 POST over a socket connected to the address {@link UrlGuard} checked. The JDK's
 * HTTP clients resolve the host name again when connecting, which would reopen a DNS-rebinding window;
 * here TLS still verifies the certificate against the URL's host name. No redirect is followed, the
 * whole exchange has one deadline, and at most {@code maxBody} bytes of the answer are kept.
 */
public final class CallbackHttpClient {

    private static final int MAX_HEADER_BYTES = 32 * 1024;
    private final Duration timeout;
    private final int maxBody;

    public CallbackHttpClient(Duration timeout, int maxBody) {
        this.timeout = timeout;
        this.maxBody = maxBody;
    }

    public Duration timeout() {
        return timeout;
    }

    public HttpReply post(UrlGuard.Target target, Map<String, String> headers, String body) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = connect(target, deadline)) {
            StringBuilder head = new StringBuilder()
                    .append("POST ").append(target.requestPath()).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(target.hostHeader()).append("\r\n")
                    .append("User-Agent: Avala-Agents/1.0\r\n")
                    .append("Content-Type: application/json\r\n")
                    .append("Accept: application/json\r\n")
                    .append("Content-Length: ").append(payload.length).append("\r\n")
                    .append("Connection: close\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            return read(new DeadlineInput(socket, deadline));
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("Callback timed out after " + timeout.toMillis() + " ms.");
        }
    }

    private Socket connect(UrlGuard.Target target, long deadline) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(target.address(), target.port()), remainingMillis(deadline));
            socket.setSoTimeout(remainingMillis(deadline));
            if (!target.tls()) {
                return socket;
            }
            SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                    .createSocket(socket, target.host(), target.port(), true);
            var parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            if (!target.host().contains(":") && !target.host().matches("[0-9.]+")) {
                parameters.setServerNames(List.of(new SNIHostName(target.host())));
            }
            tls.setSSLParameters(parameters);
            tls.startHandshake();
            return tls;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private HttpReply read(DeadlineInput in) throws IOException {
        String statusLine = in.line();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("Callback answered with something that is not HTTP/1.x.");
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("Callback answered with an invalid HTTP status line.");
        }
        Map<String, String> headers = new HashMap<>();
        for (String line = in.line(); !line.isEmpty(); line = in.line()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean truncated;
        if (status == 204 || status == 304 || status < 200) {
            truncated = false; // no body by definition, whatever the headers say
        } else if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
            truncated = readChunked(in, body);
        } else if (headers.containsKey("content-length")) {
            long length = parseLength(headers.get("content-length"));
            in.copy(body, Math.min(length, maxBody));
            truncated = length > maxBody;
        } else {
            truncated = in.copy(body, maxBody);
        }
        return new HttpReply(status, headers, body.toString(StandardCharsets.UTF_8), truncated);
    }

    private boolean readChunked(DeadlineInput in, ByteArrayOutputStream body) throws IOException {
        while (true) {
            String sizeLine = in.line();
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            if (size == 0) {
                return false;
            }
            long room = maxBody - body.size();
            if (size > room) {
                in.copy(body, room);
                return true;
            }
            in.copy(body, size);
            in.line();
        }
    }

    private static long parseLength(String value) throws IOException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IOException("Callback answered with an invalid Content-Length.");
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    /** Socket input whose every read is bounded by the exchange's deadline. */
    private static final class DeadlineInput {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;

        DeadlineInput(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = new java.io.BufferedInputStream(socket.getInputStream());
            this.deadline = deadline;
        }

        private int next() throws IOException {
            socket.setSoTimeout(remainingMillis(deadline));
            return in.read();
        }

        String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = next()) != -1 && c != '\n') {
                if (line.size() >= MAX_HEADER_BYTES) {
                    throw new IOException("Callback answered with an oversized header.");
                }
                line.write(c);
            }
            if (c == -1 && line.size() == 0) {
                throw new IOException("Callback closed the connection without an answer.");
            }
            String text = line.toString(StandardCharsets.ISO_8859_1);
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }

        /** Copies up to {@code limit} bytes; true when the stream went on past the limit. */
        boolean copy(ByteArrayOutputStream out, long limit) throws IOException {
            byte[] buffer = new byte[8192];
            long left = limit;
            while (left > 0) {
                socket.setSoTimeout(remainingMillis(deadline));
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n == -1) {
                    return false;
                }
                out.write(buffer, 0, n);
                left -= n;
            }
            return true;
        }
    }
}
