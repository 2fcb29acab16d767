"""The reviewer's data-flow analysis: flow-, field- and context-insensitive-but-summarised taint tracking.

- `cfg`: control-flow graphs of function, class and module bodies;
- `values`: abstract values (taint flows, constants, fields, references, types);
- `fold`: constant folding;
- `analysis`: the fixed point per body, transfer functions, refinement on branch edges, calls;
- `module`: a module's names, functions, classes, parameters and summaries;
- `project`: the project's own modules, found from imports and parsed on demand;
- `models/`: sources, sinks, sanitizers and propagators as data, one module per framework or library;
- `sinks`: which arguments of a call are sinks, and the flows reaching them (models and wrappers);
- `engine`: the models and modules shared by the files one process reviews;
- `query`: what the rules ask (`FileFlows`).
"""
