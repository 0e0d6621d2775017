// JS implementations of the custom imports of the reactors in
// ../shared/corpus/p2, written from each component's WIT (`jco wit`), with the
// semantics the names say (roundtrip-x returns its argument, ...). The same
// object serves jco's transpiled component and the canonical-ABI caller on the
// down output, so both see identical hosts. Keys are the full import names
// ('$root' for functions the component imports by itself); function names
// are jco's camelCase. A function returning result<T, E> returns T or throws
// an object whose `payload` is E (jco's convention). `importsFor` builds fresh
// state per instance.

/** Throws an err for an import returning result<T, E>, the way jco reads it. */
const err = (payload) => {
  throw { payload };
};

const assertEq = (actual, expected, what) => {
  const a = JSON.stringify(actual, (_, v) => (typeof v === 'bigint' ? `${v}n` : ArrayBuffer.isView(v) ? Array.from(v, String) : v));
  const e = JSON.stringify(expected, (_, v) => (typeof v === 'bigint' ? `${v}n` : ArrayBuffer.isView(v) ? Array.from(v, String) : v));
  if (a !== e) throw new Error(`${what}: got ${a}, expected ${e}`);
};

const identity = (x) => x;

function numbers() {
  let scalar = 0;
  return {
    'test:numbers/test': {
      roundtripU8: identity, roundtripS8: identity, roundtripU16: identity, roundtripS16: identity,
      roundtripU32: identity, roundtripS32: identity, roundtripU64: identity, roundtripS64: identity,
      roundtripF32: identity, roundtripF64: identity, roundtripChar: identity,
      setScalar: (a) => {
        scalar = a;
      },
      getScalar: () => scalar,
    },
  };
}

function lists() {
  return {
    'test:lists/test': {
      emptyListParam: (a) => assertEq(a.length, 0, 'empty-list-param'),
      emptyStringParam: (a) => assertEq(a, '', 'empty-string-param'),
      emptyListResult: () => new Uint8Array([]),
      emptyStringResult: () => '',
      listParam: (a) => assertEq(Array.from(a), [1, 2, 3, 4], 'list-param'),
      listParam2: (a) => assertEq(a, 'foo', 'list-param2'),
      listParam3: (a) => assertEq(a, ['foo', 'bar', 'baz'], 'list-param3'),
      listParam4: (a) => assertEq(a, [['foo', 'bar'], ['baz']], 'list-param4'),
      listParam5: (a) => assertEq(a, [[1, 2, 3], [4, 5, 6]], 'list-param5'),
      listParamLarge: (a) => assertEq(a.length, 1000, 'list-param-large'),
      listResult: () => new Uint8Array([1, 2, 3, 4, 5]),
      listResult2: () => 'hello!',
      listResult3: () => ['hello,', 'world!'],
      listMinmax8: (a, b) => [a, b],
      listMinmax16: (a, b) => [a, b],
      listMinmax32: (a, b) => [a, b],
      listMinmax64: (a, b) => [a, b],
      listMinmaxFloat: (a, b) => [a, b],
      listRoundtrip: identity,
      stringRoundtrip: identity,
    },
  };
}

function options() {
  return {
    'test:options/test': {
      optionNoneParam: (a) => assertEq(a, undefined, 'option-none-param'),
      optionSomeParam: (a) => assertEq(a, 'foo', 'option-some-param'),
      optionNoneResult: () => undefined,
      optionSomeResult: () => 'foo',
      optionRoundtrip: identity,
      doubleOptionRoundtrip: identity,
    },
  };
}

function records() {
  return {
    'test:records/test': {
      multipleResults: () => [4, 5],
      swapTuple: ([a, b]) => [b, a],
      roundtripFlags1: identity,
      roundtripFlags2: identity,
      roundtripFlags3: (a, b, c) => [a, b, c],
      roundtripRecord1: identity,
      tuple1: ([a]) => [a],
    },
  };
}

function variants() {
  return {
    'test:variants/test': {
      // option<f32> -> option<u8>: the float converted as Rust's `as u8` does (saturating).
      roundtripOption: (a) => (a === undefined ? undefined : Math.min(255, Math.max(0, Math.trunc(a) || 0))),
      // result<u32, f32> -> result<f64, u8>
      roundtripResult: (a) => (a.tag === 'ok' ? a.val : err(Math.min(255, Math.max(0, Math.trunc(a.val) || 0)))),
      roundtripEnum: identity,
      invertBool: (a) => !a,
      variantCasts: identity,
      variantZeros: identity,
      variantTypedefs: () => {},
      variantEnums: (a, b, c) => {
        assertEq([a, b.tag, c], [true, 'ok', 'success'], 'variant-enums');
        return [false, { tag: 'err', val: undefined }, 'a'];
      },
    },
  };
}

function results() {
  return {
    'test:results/test': {
      stringError: (a) => (a === 0 ? err('zero') : a),
      enumError: (a) => (a === 0 ? err('b') : a),
      recordError: (a) => (a === 0 ? err({ line: 420, column: 0 }) : a),
      variantError: (a) => (a === 0 ? err({ tag: 'e2', val: { line: 420, column: 0 } }) : a),
      emptyError: (a) => (a === 0 ? err(undefined) : a),
      doubleError: (a) => (a === 0 ? { tag: 'ok', val: undefined } : a === 1 ? { tag: 'err', val: 'one' } : err('two')),
    },
  };
}

function strings() {
  return {
    'test:strings/imports': {
      takeBasic: (s) => assertEq(s, 'latin utf16', 'take-basic'),
      returnUnicode: () => '🚀🚀🚀 𠈄𓀀',
    },
  };
}

function manyArguments() {
  return {
    imports: {
      manyArguments: (...a) => assertEq(a, Array.from({ length: 16 }, (_, i) => BigInt(i + 1)), 'many-arguments'),
    },
  };
}

function versions() {
  // jco merges the two versions of test:dep/test into one import object, so
  // `x` must be the same function for both here too.
  const x = () => 1;
  return {
    'test:dep/test@0.1.0': { x, y: (a) => a },
    'test:dep/test@0.2.0': { x, z: (a, b) => a + b },
  };
}

// ---- components with imported resources (classes named as jco names them) ----

function ownership() {
  class TheResource {
    constructor(list) {
      this.list = list;
    }
  }
  return {
    lists: { foo: identity },
    'thing-in': { bar: () => {} },
    'thing-in-and-out': { baz: identity },
    'test:ownership/both-list-and-resource': {
      TheResource,
      listAndResource: (a) => assertEq(a.a, a.b.list, 'list-and-resource'),
    },
  };
}

const concat = (a, text) => Uint8Array.from([...a, ...new TextEncoder().encode(text)]);

/** A resource holding one value, with get/set and a static add, as several corpus interfaces shape it. */
function valueResource() {
  return class {
    constructor(v) {
      this.v = v;
    }
  };
}

function resources() {
  class Y {
    constructor(a) {
      this.a = a;
    }
    getA() {
      return this.a;
    }
    setA(a) {
      this.a = a;
    }
    static add(y, a) {
      return new Y(y.a + a);
    }
  }
  return { imports: { Y } };
}

function resourceImportAndExport() {
  class Thing {
    constructor(v) {
      this.v = v + 1;
    }
    foo() {
      return this.v + 2;
    }
    bar(v) {
      this.v = v + 3;
    }
    static baz(a, b) {
      return new Thing(a.foo() + b.foo() + 4);
    }
  }
  return { 'test:resource-import-and-export/test': { Thing }, $root: { toplevelImport: identity } };
}

function resourceWithLists() {
  class Thing {
    constructor(l) {
      this.l = concat(l, ' HostThing');
    }
    foo() {
      return concat(this.l, ' HostThing.foo');
    }
    bar(l) {
      this.l = concat(l, ' HostThing.bar');
    }
    static baz(l) {
      return concat(l, ' HostThing.baz');
    }
  }
  return { 'test:resource-with-lists/test': { Thing } };
}

function resourceFloats() {
  class Float {
    constructor(v) {
      this.v = v + 1;
    }
    get() {
      return this.v + 3;
    }
    static add(a, b) {
      return new Float(a.v + b + 5);
    }
  }
  class TestFloat {
    constructor(v) {
      this.v = v;
    }
    get() {
      return this.v;
    }
  }
  return { imports: { Float }, 'test:resource-floats/test': { Float: TestFloat } };
}

function thingWithString(iface, extra) {
  class Thing {
    constructor(s) {
      this.s = s;
    }
    get() {
      return this.s;
    }
  }
  return { [iface]: { Thing, ...extra(Thing) } };
}

function resourceAggregates() {
  const Thing = valueResource();
  // Every thing's value, summed, as a u32 (the aggregates are records, tuples, lists, options, results and variants of things).
  const sum = (x) => {
    if (x instanceof Thing) return x.v;
    if (Array.isArray(x)) return x.reduce((a, y) => a + sum(y), 0);
    if (x && typeof x === 'object') return Object.values(x).reduce((a, y) => a + sum(y), 0);
    return 0;
  };
  return { 'test:resource-aggregates/test': { Thing, foo: (...args) => sum(args) >>> 0 } };
}

const TABLE = {
  numbers,
  lists,
  options,
  records,
  variants,
  results,
  strings,
  'many-arguments': manyArguments,
  many_arguments: manyArguments,
  versions,
  smoke: () => ({ 'test:smoke/imports': { thunk: () => {} } }),
  type_section_suffix: () => ({ 'test:suffix/imports': { foo: () => {} }, $root: { foo: () => {}, bar: () => {} } }),
  borrowing: ownership,
  owning: ownership,
  'borrowing-duplicate-if-necessary': ownership,
  'resource-borrow-simple': () => ({ $root: { R: class R {}, test: () => {} } }),
  resource_borrow_import: () => {
    const Thing = valueResource();
    return { 'test:resource-borrow-import/test': { Thing, foo: (t) => t.v + 2 } };
  },
  resource_with_lists: resourceWithLists,
  resources,
  'resource-import-and-export': resourceImportAndExport,
  resource_import_and_export: resourceImportAndExport,
  resource_floats: resourceFloats,
  resource_aggregates: resourceAggregates,
  resource_alias_redux: () => {
    const imports = thingWithString('test:resource-alias-redux/resource-alias1', () => ({ a: (f) => [f.thing] }));
    const { Thing } = imports['test:resource-alias-redux/resource-alias1'];
    return { ...imports, 'test:resource-alias-redux/resource-alias2': { Thing, b: (f, g) => [f.thing, g.thing] } };
  },
  resource_borrow_in_record: () =>
    thingWithString('test:resource-borrow-in-record/test', (Thing) => ({ test: (a) => a.map((r) => new Thing(`${r.thing.get()} test`)) })),
  rust_xcrate: () => ({
    'test:xcrate/a-imports': { X: class X { foo() {} }, a: () => {} },
    'test:xcrate/b-imports': { X: class X { foo() {} }, b: () => {} },
  }),
  example_guest_import: () => {
    class Scalars {
      getB() {
        return 2;
      }
    }
    return { 'example2:component/backend@0.1.0': { Scalars, fetch: () => new Scalars() } };
  },
  async_call: () => ({ 'something:test/test-interface': { callAsync: () => 'hello', callSync: () => 'hello' } }),
};

/** Fresh import implementations for corpus component `name` (file name without .component.wasm / .wasm). */
export function importsFor(name) {
  const make = TABLE[name];
  return make ? make() : {};
}

export const componentsWithImports = Object.keys(TABLE);
