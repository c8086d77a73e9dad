package ai.avala.agents.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class UrlGuardTest {

    private final UrlGuard strict = new UrlGuard(false);
    private final UrlGuard local = new UrlGuard(true);

    @ParameterizedTest
    @ValueSource(strings = {
            "https://127.0.0.1/hook", "https://127.1.2.3/", "https://localhost/", "https://[::1]/",
            "https://0.0.0.0/", "https://[::]/", "https://10.1.2.3/", "https://172.16.0.1/", "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data/", "https://100.64.0.1/", "https://224.0.0.1/",
            "https://255.255.255.255/", "https://[fe80::1]/", "https://[fc00::1]/", "https://[fd00:ec2::254]/",
            "https://[ff02::1]/", "https://[::ffff:127.0.0.1]/", "https://[::ffff:10.0.0.1]/",
            "https://[::ffff:a9fe:a9fe]/", "https://[64:ff9b::a9fe:a9fe]/", "https://[2002:7f00:1::]/",
            "https://2130706433/", "https://0x7f000001/", "https://017700000001/", "https://127.1/"})
    void resolve_shouldRefuseNonPublicAddressesInEveryEncoding(String url) {
        assertThatThrownBy(() -> strict.resolve(url)).isInstanceOf(UnsafeUrlException.class);
        assertThatThrownBy(() -> strict.checkRegistration(url)).isInstanceOf(UnsafeUrlException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://93.184.215.14/", "ftp://93.184.215.14/", "https://user:pw@93.184.215.14/",
            "https://93.184.215.14/#frag", "/relative/path", "https://", "not a url", "HTTPS://93.184.215.14/"})
    void resolve_shouldRefuseUrlsThatAreNotPlainHttps(String url) {
        assertThatThrownBy(() -> strict.resolve(url)).isInstanceOf(UnsafeUrlException.class);
    }

    @Test
    void resolve_shouldPinThePublicAddressItChecked() throws Exception {
        UrlGuard.Target target = strict.resolve("https://93.184.215.14:8443/hooks?x=1");

        assertThat(target.address().getHostAddress()).isEqualTo("93.184.215.14");
        assertThat(target.port()).isEqualTo(8443);
        assertThat(target.tls()).isTrue();
        assertThat(target.requestPath()).isEqualTo("/hooks?x=1");
        assertThat(target.hostHeader()).isEqualTo("93.184.215.14:8443");
    }

    @Test
    void allowLocal_shouldAdmitHttpLoopbackButStillRefusePrivateAndMetadataAddresses() {
        assertThatCode(() -> local.resolve("http://127.0.0.1:8080/hook")).doesNotThrowAnyException();
        assertThatCode(() -> local.resolve("http://localhost:8080/hook")).doesNotThrowAnyException();
        assertThatThrownBy(() -> local.resolve("http://10.0.0.1/")).isInstanceOf(UnsafeUrlException.class);
        assertThatThrownBy(() -> local.resolve("http://169.254.169.254/")).isInstanceOf(UnsafeUrlException.class);
    }

    @Test
    void checkRegistration_shouldAcceptAHostThatDoesNotResolveYet() {
        assertThatCode(() -> strict.checkRegistration("https://hooks.example.invalid/x")).doesNotThrowAnyException();
        assertThatThrownBy(() -> strict.resolve("https://hooks.example.invalid/x"))
                .isInstanceOf(UnsafeUrlException.class).hasMessageContaining("does not resolve");
    }

    @Test
    void resolve_shouldRefuseUrlsLongerThanTheLimit() {
        String url = "https://93.184.215.14/" + "a".repeat(UrlGuard.MAX_LENGTH);
        assertThatThrownBy(() -> strict.resolve(url)).hasMessageContaining("longer than");
    }
}
