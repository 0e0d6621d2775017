# Child process: runs one preview1 core module (WASI p1, `Linker.define_wasi`)
# or one WASI 0.2 command component (`wasi:cli/run`, `add_wasip2`) on Wasmtime's
# Python package. Started by run-wasmtime.ts with the venv's interpreter; the
# config (JSON) is argv[1]. stdio fds 0/1/2 are files the parent set up, and
# the guest inherits them, so its bytes land there exactly. The outcome goes
# to the report file as JSON with child.ts's ChildReport shape:
#   {"exitCode": n, "trapped": false} | {"exitCode": null, "trapped": true,
#   "trapMessage": "..."} | {"error": "..."} (a harness failure, not a guest outcome).
# Nothing else may print: a stray line on fd 1/2 would be read as guest output.
import json
import sys
import traceback

config = json.loads(open(sys.argv[1], encoding="utf-8").read())


def report(r):
    with open(config["reportPath"], "w", encoding="utf-8") as f:
        json.dump(r, f)


def harness_error(stage):
    report({"error": f"{stage}: {traceback.format_exc()}"})
    sys.exit(0)


try:
    import wasmtime
    import wasmtime.component as wc

    wasi = wasmtime.WasiConfig()
    wasi.argv = config["args"]
    # Exactly these variables: nothing from this process is inherited.
    wasi.env = list(config["env"].items())
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    # Order kept: p1 guests see preopens as fds 3, 4, ... in this order.
    for guest, host in config["preopens"].items():
        wasi.preopen_dir(host, guest)

    engine_config = wasmtime.Config()
    if config["compiler"] == "winch":
        # Wasmtime's baseline compiler: 3-5x faster to compile a 14 MB componentize-js module than
        # Cranelift. The Python API only names "auto"/"cranelift", so set the C API's value
        # (WASMTIME_STRATEGY_WINCH = 2) directly. The WASI host is the same either way.
        wasmtime._ffi.wasmtime_config_strategy_set(engine_config.ptr(), 2)
    engine = wasmtime.Engine(engine_config)
    store = wasmtime.Store(engine)
    store.set_wasi(wasi)

    if config["kind"] == "module":
        module = wasmtime.Module.from_file(engine, config["wasmPath"])
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        if config["stubImports"]:
            # Like stub-imports.mjs: non-WASI imports trap only when called.
            linker.define_unknown_imports_as_traps(module)
        instance = linker.instantiate(store, module)
        start = instance.exports(store)["_start"]
        call = lambda: start(store)
    else:
        component = wc.Component.from_file(engine, config["wasmPath"])
        linker = wc.Linker(engine)
        linker.add_wasip2()
        # As `wasmtime run` does by default (-S http): componentize-js output imports wasi:http.
        linker.add_wasi_http()
        store.set_wasi_http()
        instance = linker.instantiate(store, component)
        # The export carries the component's own 0.2.x version: find it by prefix.
        names = [n for n in component.type.exports(engine) if n.startswith("wasi:cli/run@")]
        if len(names) != 1:
            raise RuntimeError(f"no single wasi:cli/run export: {names}")
        run_index = instance.get_export_index(store, names[0])
        run = instance.get_func(store, instance.get_export_index(store, "run", run_index))
        call = lambda: run(store)
except Exception:
    harness_error("instantiate")

try:
    result = call()
    # `run` returns result<_, _>, which the binding gives as Variant("ok") / Variant("err");
    # a 0.2 host turns err into exit status 1, as `wasmtime run` does.
    failed = isinstance(result, wc.Variant) and result.tag == "err"
    report({"exitCode": 1 if failed else 0, "trapped": False})
except wasmtime.ExitTrap as e:
    report({"exitCode": e.code, "trapped": False})
except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
    # A wasm trap, or a host error that ends the guest (wasmtime words both as errors).
    report({"exitCode": None, "trapped": True, "trapMessage": str(e)})
except Exception:
    harness_error("run")
