package ai.avala.agents.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrlGuardTest {

    private final UrlGuard strict = new UrlGuard(false);
    private final UrlGuard local = new UrlGuard(true);

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://127.0.0.1/hook",
                "https://127.1.2.3/",
                "https://localhost/",
                "https://[::1]/",
                "https://0.0.0.0/",
                "https://[::]/",
                "https://10.1.2.3/",
                "https://172.16.0.1/",
                "https://192.168.1.1/",
                "https://169.254.169.254/latest/meta-data/",
                "https://100.64.0.1/",
                "https://224.0.0.1/",
                "https://255.255.255.255/",
                "https://[fe80::1]/",
                "https://[fc00::1]/",
                "https://[fd00:ec2::254]/",
                "https://[ff02::1]/",
                "https://[::ffff:127.0.0.1]/",
                "https://[::ffff:10.0.0.1]/",
                "https://[::ffff:a9fe:a9fe]/",
                "https://[64:ff9b::a9fe:a9fe]/",
                "https://[2002:7f00:1::]/",
                "https://2130706433/",
                "https://0x7f000001/",
                "https://017700000001/",
                "https://127.1/"
            })
    void resolve_shouldRefuseNonPublicAddressesInEveryEncoding(String url) {
        assertThatThrownBy(() -> strict.resolve(url)).isInstanceOf(UnsafeUrlException.class);
        assertThatThrownBy(() -> strict.checkRegistration(url)).isInstanceOf(UnsafeUrlException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://93.184.215.14/",
                "ftp://93.184.215.14/",
                "https://user:pw@93.184.215.14/",
                "https://93.184.215.14/#frag",
                "/relative/path",
                "https://",
                "not a url",
                "HTTPS://93.184.215.14/"
            })
    void resolve_shouldRefuseUrlsThatAreNotPlainHttps(String url) {
        assertThatThrownBy(() -> strict.resolve(url)).isInstanceOf(UnsafeUrlException.class);
    }

    @Test
    void resolve_shouldPinThePublicAddressItChecked() throws Exception {
        UrlGuard.Target target = strict.resolve("https://93.184.215.14:8443/hooks?x=1");

        assertThat(target.addresses()).extracting(InetAddress::getHostAddress).containsExactly("93.184.215.14");
        assertThat(target.port()).isEqualTo(8443);
        assertThat(target.tls()).isTrue();
        assertThat(target.uri().getRawQuery()).isEqualTo("x=1");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://93.184.215.14:70000/hook",
                "https://93.184.215.14:0/",
                "https://93.184.215.14:25/",
                "https://93.184.215.14:22/",
                "https://93.184.215.14:80/",
                "https://93.184.215.14:1023/"
            })
    void resolve_shouldRefusePortsOutsideTheRangeAndWellKnownPortsOtherThan443(String url) {
        assertThatThrownBy(() -> strict.resolve(url)).isInstanceOf(UnsafeUrlException.class);
        assertThatThrownBy(() -> strict.checkRegistration(url)).isInstanceOf(UnsafeUrlException.class);
    }

    @Test
    void resolve_shouldAcceptPort443AndPortsAbove1023() throws Exception {
        assertThat(strict.resolve("https://93.184.215.14:443/").port()).isEqualTo(443);
        assertThat(strict.resolve("https://93.184.215.14/").port()).isEqualTo(443);
        assertThat(strict.resolve("https://93.184.215.14:1024/").port()).isEqualTo(1024);
        assertThat(strict.resolve("https://93.184.215.14:65535/").port()).isEqualTo(65535);
    }

    @Test
    void aTrailingDotHost_shouldBeRefusedAtRegistrationAndDeliveryAlike() {
        assertThatThrownBy(() -> strict.checkRegistration("https://example.com./h"))
                .hasMessageContaining("dot");
        assertThatThrownBy(() -> strict.resolve("https://example.com./h")).hasMessageContaining("dot");
        assertThatThrownBy(() -> strict.resolve("https://93.184.215.14./h")).isInstanceOf(UnsafeUrlException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://[::ffff:0:7f00:1]/",
                "https://[::ffff:0:a00:1]/",
                "https://[64:ff9b:1::a00:1]/",
                "https://[64:ff9b::5db8:d70e]/",
                "https://[2001:db8::1]/",
                "https://[2001::1]/",
                "https://[2001:2::1]/",
                "https://[3fff::1]/",
                "https://[100::1]/",
                "https://[::5db8:d70e]/",
                "https://[2002:5db8:d70e::1]/"
            })
    void ipv6_shouldBeCallableOnlyInGlobalUnicastOutsideTheSpecialPurposeBlocks(String url) {
        assertThatThrownBy(() -> strict.resolve(url)).isInstanceOf(UnsafeUrlException.class);
    }

    @Test
    void ipv6GlobalUnicast_shouldBeCallable() throws Exception {
        assertThat(strict.resolve("https://[2606:4700:4700::1111]/hook").addresses())
                .extracting(InetAddress::getHostAddress)
                .containsExactly("2606:4700:4700:0:0:0:0:1111");
    }

    @Test
    void allowLocal_shouldAdmitHttpLoopbackButStillRefusePrivateAndMetadataAddresses() throws Exception {
        assertThat(local.resolve("http://127.0.0.1:8080/hook").addresses()).allMatch(InetAddress::isLoopbackAddress);
        assertThat(local.resolve("http://localhost:8080/hook").tls()).isFalse();
        assertThatThrownBy(() -> local.resolve("http://10.0.0.1/")).isInstanceOf(UnsafeUrlException.class);
        assertThatThrownBy(() -> local.resolve("http://169.254.169.254/")).isInstanceOf(UnsafeUrlException.class);
    }

    @Test
    void checkRegistration_shouldAcceptAHostThatDoesNotResolveYet() throws Exception {
        assertThat(strict.checkRegistration("https://hooks.example.invalid/x")).isEmpty();
        assertThatThrownBy(() -> strict.resolve("https://hooks.example.invalid/x"))
                .isInstanceOf(UnsafeUrlException.class)
                .hasMessageContaining("does not resolve");
    }

    @Test
    void checkRegistration_shouldReturnTheAddressesItCheckedAndRefuseAPrivateOne() throws Exception {
        assertThat(local.checkRegistration("http://127.0.0.1:8080/hook"))
                .containsExactly(InetAddress.getByName("127.0.0.1"));
        assertThatThrownBy(() -> strict.checkRegistration("https://10.1.2.3/hook"))
                .isInstanceOf(UnsafeUrlException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://hooks.example.invalid/x",
                "https://Hooks.Example.invalid:8443/a/b?c=%C3%A9&d",
                "https://a-b.example.invalid:65535",
                "https://x.example.invalid?q=1",
                "https://x.y.example.invalid/~user/(1)/@/!$'*+,;="
            })
    void checkRegistration_shouldAcceptHttpsToAHostNameWithAnEncodedPath(String url) throws Exception {
        // .invalid never resolves (RFC 6761): the form alone decides.
        assertThat(strict.checkRegistration(url)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://93.184.215.14/hook",
                "https://[2606:2800:220:1:248:1893:25c8:1946]/",
                "https://example.com/café",
                "https://example.com/a b",
                "https://example.com/%zz",
                "https://-a.example.com/",
                "https://a-.example.com/",
                "https://example.123/",
                "https://example.com:0443/",
                "https://example.com:65536/",
                "https://example.com:1023/",
                "https://exa_mple.com/",
                "https://example.com/<x>",
                " https://example.com/"
            })
    void checkRegistration_shouldRefuseWhatOpenApiDoesNotDescribe(String url) {
        assertThatThrownBy(() -> strict.checkRegistration(url)).isInstanceOf(UnsafeUrlException.class);
    }

    @Test
    void resolve_shouldRefuseUrlsLongerThanTheLimit() {
        String url = "https://93.184.215.14/" + "a".repeat(UrlGuard.MAX_LENGTH);
        assertThatThrownBy(() -> strict.resolve(url)).hasMessageContaining("longer than");
    }
}
