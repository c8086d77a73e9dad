package ai.avala.agents.callback;

import ai.avala.agents.lambda.Background;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * One signed callback POST, with OkHttp, to exactly the addresses {@link UrlGuard} vetted (its {@code Dns}
 * answers with them and nothing else: no second lookup; TLS still verifies the URL's host name). One
 * deadline ({@code callTimeout}) covers connect, TLS, write, headers and body; no redirect is followed, no
 * request is retried by the client, no proxy is used; 1xx interim answers are skipped; the answer's
 * headers are capped in count and bytes and at most {@code maxBody} bytes of its body are kept.
 * Every failure, whatever the receiver sent, is a {@link CallbackFailedException} whose message is safe to store.
 */
public final class CallbackHttpClient {

    static final int MAX_HEADERS = 100;
    static final int MAX_HEADER_BYTES = 32 * 1024;
    private static final MediaType JSON = MediaType.get("application/json");
    private final Duration timeout;
    private final int maxBody;
    private final SSLSocketFactory sslSocketFactory;
    private final X509TrustManager trustManager;
    private final CompletableFuture<OkHttpClient> http;

    public CallbackHttpClient(Duration timeout, int maxBody) {
        this(timeout, maxBody, null, null);
    }

    /** With the TLS trust of {@code sslSocketFactory}/{@code trustManager}, for tests' self-signed receivers. */
    public CallbackHttpClient(
            Duration timeout, int maxBody, SSLSocketFactory sslSocketFactory, X509TrustManager trustManager) {
        this.timeout = timeout;
        this.maxBody = maxBody;
        this.sslSocketFactory = sslSocketFactory;
        this.trustManager = trustManager;
        this.http = Background.start("callback-http-client-init", this::build);
    }

    /**
     * Built on its own thread from construction: OkHttp loads about 800 classes and sets up TLS (some 230 ms
     * in a fresh JVM), which then overlaps with the rest of a cold start; a request that makes no callback
     * (a 404, a validation error) never waits for it.
     */
    private OkHttpClient http() {
        return Background.await(http);
    }

    private OkHttpClient build() {
        OkHttpClient.Builder builder = new OkHttpClient.Builder()
                .callTimeout(timeout)
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .writeTimeout(timeout)
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .proxy(Proxy.NO_PROXY)
                // Every call pins its own addresses, so no connection could be reused: keep none idle.
                .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                .protocols(List.of(Protocol.HTTP_1_1))
                .addNetworkInterceptor(chain -> capHeaders(chain.proceed(chain.request())));
        if (sslSocketFactory != null) {
            builder.sslSocketFactory(sslSocketFactory, trustManager);
        }
        return builder.build();
    }

    public Duration timeout() {
        return timeout;
    }

    /** Posts {@code body} within the client's timeout; the answer, or an exception saying why there is none. */
    public HttpReply post(UrlGuard.Target target, Map<String, String> headers, String body)
            throws CallbackFailedException {
        return post(target, headers, body, timeout);
    }

    /**
     * Posts {@code body} within {@code left} (what remains of the callback's deadline once its host was resolved):
     * the answer, or an exception saying why there is none.
     */
    public HttpReply post(UrlGuard.Target target, Map<String, String> headers, String body, Duration left)
            throws CallbackFailedException {
        if (left.isNegative() || left.isZero()) {
            throw new CallbackFailedException("Callback timed out after " + timeout.toMillis() + " ms.");
        }
        HttpUrl url = HttpUrl.parse(target.uri().toASCIIString());
        if (url == null) {
            throw new CallbackFailedException("Callback URL cannot be called.");
        }
        Request.Builder request = new Request.Builder()
                .url(url)
                .header("User-Agent", "Avala-Agents/1.0")
                .header("Accept", "application/json")
                // Asked for explicitly, OkHttp does not unzip: the body cap counts the bytes received.
                .header("Accept-Encoding", "identity")
                .post(RequestBody.create(body, JSON));
        headers.forEach(request::header);
        OkHttpClient pinned = http().newBuilder()
                .dns(host -> List.copyOf(target.addresses()))
                .callTimeout(left)
                .build();
        try (Response response = pinned.newCall(request.build()).execute()) {
            return read(response);
        } catch (InterruptedIOException e) {
            throw new CallbackFailedException("Callback timed out after " + timeout.toMillis() + " ms.");
        } catch (ConnectException e) {
            throw new CallbackFailedException("Callback connection was refused.");
        } catch (SSLException e) {
            throw new CallbackFailedException("TLS handshake with the callback failed.");
        } catch (ProtocolException e) {
            throw new CallbackFailedException("Callback answered with something that is not valid HTTP/1.1.");
        } catch (CallbackFailedException e) {
            throw e;
        } catch (IOException e) {
            throw new CallbackFailedException("Callback connection failed.");
        } catch (RuntimeException e) {
            // OkHttp reports some malformed answers (a bad chunk size, a bad status line) as unchecked exceptions.
            throw new CallbackFailedException("Callback answered with something that is not valid HTTP/1.1.");
        }
    }

    /** Status and headers as received; the body up to the cap, or none if reading it failed or timed out. */
    private HttpReply read(Response response) {
        Map<String, String> headers = new HashMap<>();
        Headers received = response.headers();
        for (int i = 0; i < received.size(); i++) {
            headers.put(received.name(i).toLowerCase(Locale.ROOT), received.value(i));
        }
        ResponseBody body = response.body();
        Buffer kept = new Buffer();
        try {
            BufferedSource source = body.source();
            while (kept.size() <= maxBody && source.read(kept, maxBody + 1 - kept.size()) != -1) {
                // keep reading until the cap or the end
            }
        } catch (IOException | RuntimeException e) {
            // The status arrived: the receiver answered; only its body is unusable.
            return new HttpReply(response.code(), headers, null, true);
        }
        boolean truncated = kept.size() > maxBody;
        String text = truncated ? null : kept.readUtf8();
        return new HttpReply(response.code(), headers, text, truncated);
    }

    private static Response capHeaders(Response response) throws IOException {
        Headers headers = response.headers();
        if (headers.size() > MAX_HEADERS || headers.byteCount() > MAX_HEADER_BYTES) {
            response.close();
            throw new CallbackFailedException("Callback answered with more than " + MAX_HEADERS + " headers or "
                    + MAX_HEADER_BYTES + " bytes of them.");
        }
        return response;
    }
}
