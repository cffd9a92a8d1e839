#!/usr/bin/env bash
# Native, checked as far as it goes without Mandrel/GraalVM: runs GraalVM's native-image builder
# (its Java side, org.graalvm.nativeimage:svm and siblings from Maven Central, listed in native/pom.xml)
# on Temurin 25 over target/native-sources, meant to go through class initialization and the
# points-to analysis of Plugboard and stop there (-H:+ReturnAfterAnalysis: no compile, no link),
# which is where a Mandrel user's build reports build-time-initialization, reflection and
# unsupported-feature errors. The native-image *driver* is not published on Maven Central, so the
# part of it a Quarkus build needs is done here: native-image.args and every jar's
# META-INF/native-image (native-image.properties Args, JSON metadata) become builder options.
#
# How far it gets (2026-12-02, svm 25.0.2 on Temurin 25.0.3): option parsing, the image class path
# and module exports, every Quarkus feature registered; -H:+ReturnAfterAnalysis also skips the check
# for the JDK's static libraries (libjava.a, libnio.a, libnet.a; only the link needs them). It stops
# in stage [1/8] at C annotation processing (NativeLibraries.finish → CAnnotationProcessor): the
# builder's own C headers (include/amd64cpufeatures.h, riscv64cpufeatures.h, ... of GraalVM's
# lib/svm) are in no Maven artifact, and the error epilog then needs lib/svm/builder's
# libreporterchelper.so. The error report is target/native-analysis/svm_err_*.md.
#
# usage: ./mvnw package -Dnative -Dquarkus.native.sources-only=true -Dmaven.test.skip=true
#        native/analyse.sh                     (log: target/native-analysis/analysis.log)
# needs: JDK 25 with jdk.graal.compiler and jdk.internal.vm.ci (Temurin 25 has both), ~6 GB RAM.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
SRC=$ROOT/target/native-sources
OUT=$ROOT/target/native-analysis
[ -s "$SRC/native-image.args" ] || { echo "no $SRC: ./mvnw package -Dnative -Dquarkus.native.sources-only=true first" >&2; exit 1; }
mkdir -p "$OUT"

# The builder's jars, through Maven like any other dependency.
JAVA_HOME=$JAVA_HOME "$ROOT/mvnw" -q -B -ntp -f native/pom.xml dependency:copy-dependencies \
  -DoutputDirectory="$OUT/builder" -Dmdep.stripVersion=true >/dev/null

# Translate the driver-level arguments into builder options (one per line in $OUT/builder.args) and
# the -J options into builder JVM options ($OUT/jvm.args).
python3 - "$SRC" "$OUT" <<'PY'
import os, re, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
args = open(os.path.join(src, "native-image.args")).read().split()
jvm, opts, excludes, image_jar, name = [], [], [], None, None
CONFIG = {"reflect-config.json": "ReflectionConfigurationResources", "resource-config.json": "ResourceConfigurationResources",
          "proxy-config.json": "DynamicProxyConfigurationResources", "serialization-config.json": "SerializationConfigurationResources",
          "jni-config.json": "JNIConfigurationResources", "reachability-metadata.json": "ReachabilityMetadataResources"}

def driver_option(a, origin):
    """One native-image driver option as builder (-H:) options."""
    for flag, key in (("--initialize-at-build-time=", ":build_time"), ("--initialize-at-run-time=", ":run_time")):
        if a.startswith(flag):
            return ["-H:ClassInitialization=" + ",".join(c + key for c in a[len(flag):].split(",") if c)]
    simple = {"--features=": "-H:Features=", "--enable-url-protocols=": "-H:EnableURLProtocols=",
              "--enable-monitoring=": "-H:EnableMonitoringFeatures=", "--enable-native-access=": "-H:EnableNativeAccess="}
    for flag, opt in simple.items():
        if a.startswith(flag):
            return [opt + a[len(flag):]]
    if a == "--no-fallback":
        return ["-H:FallbackThreshold=0"]
    if a == "--link-at-build-time":
        return ["-H:LinkAtBuildTime@user="]
    if a.startswith("-H:"):
        return [a]
    raise SystemExit(f"analyse.sh does not translate {a!r} (from {origin})")

i = 0
while i < len(args):
    a = args[i]
    if a.startswith("-J"):
        jvm.append(a[2:])
    elif a == "--exclude-config":
        excludes.append((re.compile(args[i + 1].replace("\\\\", "\\")), re.compile(args[i + 2].replace("\\\\", "\\"))))
        i += 2
    elif a == "-jar":
        image_jar = args[i + 1]
        i += 1
    elif not a.startswith("-"):
        name = a
    else:
        opts += driver_option(a, "native-image.args")
    i += 1

jar = zipfile.ZipFile(os.path.join(src, image_jar))
manifest = jar.read("META-INF/MANIFEST.MF").decode().replace("\r\n ", "").replace("\n ", "").splitlines()
attrs = dict(l.split(": ", 1) for l in manifest if ": " in l)
classpath = [os.path.join(src, image_jar)] + [os.path.join(src, p) for p in attrs.get("Class-Path", "").split()]
opts += ["-H:Class=" + attrs["Main-Class"], "-H:Name=" + name, "-H:Path=" + out]

for entry in classpath:
    if not entry.endswith(".jar") or not os.path.exists(entry):
        continue
    with zipfile.ZipFile(entry) as z:
        for f in z.namelist():
            if not f.startswith("META-INF/native-image/"):
                continue
            if any(jr.search(os.path.basename(entry)) and rr.search("/" + f) for jr, rr in excludes):
                continue
            base = os.path.basename(f)
            if base in CONFIG:
                opts.append(f"-H:{CONFIG[base]}={f}")
            elif base == "native-image.properties":
                text = z.read(f).decode().replace("\\\n", " ")
                m = re.search(r"^Args\s*=\s*(.*)$", text, re.M)
                for a in (m.group(1).split() if m else []):
                    opts += driver_option(a, os.path.basename(entry))

open(os.path.join(out, "builder.args"), "w").write("-imagecp\n" + os.pathsep.join(classpath) + "\n" + "\n".join(opts) + "\n")
open(os.path.join(out, "jvm.args"), "w").write("\n".join(jvm) + "\n")
PY

B=$OUT/builder
# The builder's module path; Graal's compiler jar from Maven upgrades the JDK's jdk.graal.compiler.
MP=$(ls "$B"/*.jar | grep -v -e '/compiler.jar$' | paste -sd:)
# A GraalVM JDK exports JVMCI and JDK internals to the builder's modules; Temurin exports JVMCI to
# jdk.graal.compiler only, so every package of the modules the builder reaches into is exported here.
MODULES=$(for j in "$B"/*.jar; do "$JAVA_HOME/bin/jar" --describe-module --file "$j" 2>/dev/null | head -1 | sed -n 's/@.*//; s/ .*//p'; done | grep -v '^jdk\.graal\.compiler$' | sort -u | paste -sd,)
EXPORTS=()
for mod in java.base jdk.internal.vm.ci jdk.management java.management jdk.jfr jdk.internal.jvmstat java.logging jdk.net jdk.unsupported; do
  for pkg in $("$JAVA_HOME/bin/java" --describe-module "$mod" | awk '/exports|contains/ {print ($1 == "qualified" ? $3 : $2)}'); do
    EXPORTS+=("--add-exports=$mod/$pkg=$MODULES,jdk.graal.compiler,ALL-UNNAMED")
  done
done
set +e
# shellcheck disable=SC2046
"$JAVA_HOME/bin/java" \
  -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI -XX:-UseJVMCICompiler -Xss10m \
  -Djdk.internal.lambda.disableEagerInitialization=true -Dcom.oracle.graalvm.isaot=true \
  -Dorg.graalvm.nativeimage.imagecode=buildtime \
  -Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader \
  -Dorg.graalvm.version="$(cat "$SRC/graalvm.version")" -Djdk.module.main=org.graalvm.nativeimage.builder \
  "${EXPORTS[@]}" \
  $(cat "$OUT/jvm.args") \
  --upgrade-module-path "$B/compiler.jar" --module-path "$MP" --add-modules ALL-DEFAULT \
  -m org.graalvm.nativeimage.builder/com.oracle.svm.hosted.NativeImageGeneratorRunner \
  $(cat "$OUT/builder.args") -H:ImageBuildID="$(cat /proc/sys/kernel/random/uuid)" -H:+ReturnAfterAnalysis "$@" 2>&1 | tee "$OUT/analysis.log"
status=${PIPESTATUS[0]}
echo "builder exit status $status (log: $OUT/analysis.log)"
exit "$status"
