"""Batch runs (executions): the worker, the child process that runs one execution, and the engines.

* :mod:`~modelport.batch.worker` - claims queued executions and runs each in a child process, with a
  heartbeat, a time limit and cancellation;
* :mod:`~modelport.batch.child` - the child process's entry point (``python -m modelport.batch.child``);
* :mod:`~modelport.batch.executor` - inside the child: input, engine, results, final state;
* :mod:`~modelport.batch.base` - the engine interface; :mod:`~modelport.batch.local` and
  :mod:`~modelport.batch.spark` - the engines; :mod:`~modelport.batch.engines` - one by name.

Layer: imports stores, tabular and the bottom layer; never services, api or serving.
"""
