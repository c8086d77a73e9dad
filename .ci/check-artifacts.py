"""After `sam build`: each function's artifact holds its own handler and the shared library, and
nothing else of ours (no other function, no test code) nor any unrelated dependency (Netty, Apache HTTP
clients, test libraries, the local stack's); the callback HTTP client (OkHttp, Okio, Kotlin) only where
the template configures callbacks (CALLBACK_TIMEOUT_SECONDS), the Secrets Manager client only where it
gives a secret (CURSOR_SECRET_ARN), the JSON Schema validator (networknt, Jackson 3) only where events are read
(EVENTS_QUEUE_URL); no artifact over 8 MB (8,000,000 bytes, as local/bench reports them)
unzipped; the jars shrunk (the build outside the checkout runs ProGuard on them: see pom.xml). Prints
each artifact's size. Exit 1 on any violation."""

import io
import pathlib
import re
import sys
import zipfile

import yaml

BUILD = pathlib.Path(".aws-sam/build")
FORBIDDEN_JARS = re.compile(
    r"netty|apache-client|apache5-client|httpclient|httpcore|junit|assertj|opentest4j|testcontainers|"
    r"mockito|snakeyaml|standardwebhooks|aws-lambda-java-tests|agents-local|agents-fn-|slf4j-nop")
# A jar family, and the environment variable that marks the functions that need it.
LIMIT_BYTES = 8_000_000
# Every jar but the Lambda runtime's own is shrunk to what the handler reaches. Unshrunk, these are 2.98 MB
# (dynamodb), 1.72 MB (kotlin-stdlib), 0.97 MB (okhttp-jvm), 1.11 MB (sdk-core), 0.96 MB (regions: every
# service's endpoint metadata) and 0.59 MB (the SDK's jackson-core); shrunk, well under these bounds.
SHRUNK_JARS = {re.compile(r"dynamodb-[0-9.]+\.jar$"): 2_000_000, re.compile(r"kotlin-stdlib-[0-9.]+\.jar$"): 600_000,
               re.compile(r"okhttp-jvm-[0-9.]+\.jar$"): 800_000, re.compile(r"sdk-core-[0-9.]+\.jar$"): 800_000,
               re.compile(r"regions-[0-9.]+\.jar$"): 400_000, re.compile(r"third-party-jackson-core-[0-9.]+\.jar$"): 450_000}
# The jars' names carry their group (com.squareup.okhttp3.okhttp-jvm-5.5.1.jar): a family is matched after a dot.
NEEDED_ONLY_WITH = {
    re.compile(r"(^|\.)(okhttp|okio|kotlin)"): "CALLBACK_TIMEOUT_SECONDS",
    re.compile(r"(^|\.)secretsmanager"): "CURSOR_SECRET_ARN",
    # The event catalog's JSON Schema validator and its Jackson 3: the matching stage only.
    re.compile(r"(^|\.)(networknt|jackson-databind-3)"): "EVENTS_QUEUE_URL",
}


class TagIgnoringLoader(yaml.SafeLoader):
    pass


TagIgnoringLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def main() -> int:
    template = yaml.load((BUILD / "template.yaml").read_text(), Loader=TagIgnoringLoader)
    functions = {name: res["Properties"] for name, res in template["Resources"].items()
                 if res.get("Type") == "AWS::Serverless::Function"}
    packages = {name: props["Handler"].split("::")[0].rsplit(".", 1)[0].replace(".", "/")
                for name, props in functions.items()}
    problems: list[str] = []
    print(f"{'function':<26}{'jars':>5}{'unzipped':>11}{'zipped':>10}{'limit':>8}")
    for name, props in sorted(functions.items()):
        root = BUILD / props["CodeUri"]
        handler = root / (props["Handler"].split("::")[0].replace(".", "/") + ".class")
        files = [f for f in root.rglob("*") if f.is_file()]
        jars = [f.name for f in (root / "lib").glob("*.jar")]
        if not handler.is_file():
            problems.append(f"{name}: its handler {handler.relative_to(root)} is missing")
        if not any("agents-shared" in jar for jar in jars):
            problems.append(f"{name}: the shared library is missing")
        variables = set(((props.get("Environment") or {}).get("Variables") or {}).keys())
        for jar in jars:
            size = (root / "lib" / jar).stat().st_size
            for shrunk, most in SHRUNK_JARS.items():
                if shrunk.search(jar) and size > most:
                    problems.append(f"{name}: {jar} is {size / 1e6:.2f} MB, not shrunk (at most {most / 1e6:.1f} MB)")
            if FORBIDDEN_JARS.search(jar):
                problems.append(f"{name}: carries the unrelated dependency {jar}")
            for family, variable in NEEDED_ONLY_WITH.items():
                if family.search(jar) and variable not in variables:
                    problems.append(f"{name}: carries {jar}, which only functions configured with {variable} use")
        for other, package in packages.items():
            if other != name and package != packages[name] and (root / package).exists():
                problems.append(f"{name}: carries the classes of {other} ({package})")
        for f in files:
            if f.suffix == ".class" and re.search(r"Test(s)?(\$.*)?\.class$", f.name):
                problems.append(f"{name}: carries test code {f.relative_to(root)}")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for f in files:
                archive.write(f, f.relative_to(root))
        unzipped = sum(f.stat().st_size for f in files)
        if unzipped > LIMIT_BYTES:
            problems.append(f"{name}: {unzipped / 1e6:.2f} MB unzipped, over {LIMIT_BYTES / 1e6:.0f} MB")
        print(f"{name:<26}{len(jars):>5}{unzipped / 1e6:>9.2f}MB{buffer.tell() / 1e6:>8.2f}MB{LIMIT_BYTES / 1e6:>6.0f}MB")
    for problem in problems:
        print("FAIL " + problem, file=sys.stderr)
    print(f"{len(functions)} artifacts checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
