"""Runs Debian's mlir-tblgen (mlir-19-tools) over ODS files, offline."""

_TBLGEN = "/usr/lib/llvm-19/bin/mlir-tblgen"
_INCLUDE = "/usr/lib/llvm-19/include"

def mlir_tblgen(name, td_file, td_srcs, outs):
    """Generates C++ from `td_file` and bundles it as a header-only cc_library.

    Args:
      name: the cc_library holding the generated `.inc` files.
      td_file: the main .td file.
      td_srcs: every .td file it includes from this package (td_file too).
      outs: a dict from generator flags (e.g. "-gen-op-decls") to output file names.
    """
    for flags, out in outs.items():
        native.genrule(
            name = name + "_" + out.replace(".", "_").replace("/", "_"),
            srcs = td_srcs,
            outs = [out],
            cmd = ("%s %s -I %s -I $$(dirname $(location %s)) $(location %s) -o $@" %
                   (_TBLGEN, flags, _INCLUDE, td_file, td_file)),
        )
    native.cc_library(
        name = name,
        textual_hdrs = list(outs.values()),
    )
