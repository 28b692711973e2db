"""The online path: one prediction request, from its body to its answer.

* :mod:`~modelport.serving.online` - the hot path: resolve the deployment, parse, check, score, answer;
* :mod:`~modelport.serving.body` - the request body's accepted shapes;
* :mod:`~modelport.serving.batching` - micro-batching of concurrent requests for one model;
* :mod:`~modelport.serving.models` - the process's cache of loaded models;
* :mod:`~modelport.serving.caching` - short-lived caches cleared when what they hold changes;
* :mod:`~modelport.serving.predictionlog` - the sampled prediction log, written in the background.

Traffic routing between versions (canary, shadow) and explanations belong here too, as modules of
this package called by :mod:`~modelport.serving.online`.

Layer: imports stores, tabular and the bottom layer (context, flavors, settings...); never services,
api or batch.
"""
