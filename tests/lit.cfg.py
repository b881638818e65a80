# lit configuration for Rill's program and tool tests (tests as data). Run inside `bazel test`
# by //tests:lit_tests (lit_test.sh), which passes the directories of the tools under test as
# the `tool_dirs` parameter; LLVM 19's FileCheck and not come from /usr/lib/llvm-19/bin.
import os

import lit.formats

config.name = "Rill"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(os.path.abspath(__file__))
# Bazel's runfiles are read-only; %t and lit's Output/ go to the test's scratch directory.
config.test_exec_root = os.environ.get("TEST_TMPDIR", "/tmp/rill-lit")

tool_dirs = [d for d in lit_config.params.get("tool_dirs", "").split(os.pathsep) if d]
if not tool_dirs:
    lit_config.fatal("pass --param tool_dirs=<dir>:<dir> (see tests/lit_test.sh)")
config.environment["PATH"] = os.pathsep.join(
    tool_dirs + ["/usr/lib/llvm-19/bin", os.environ.get("PATH", "/usr/bin:/bin")])
config.substitutions.append(("%python", "/usr/bin/python3"))
