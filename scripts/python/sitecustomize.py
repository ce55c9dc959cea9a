# Loaded automatically by Python when this folder is on PYTHONPATH (scripts/setup.mjs does that
# for the mediasoup 3.8.4 worker build only). The gyp vendored in mediasoup 3.8.4 still uses the
# ABC aliases that Python 3.10 removed from `collections` (e.g. collections.MutableSet); put them back.
import collections
import collections.abc

for _name in collections.abc.__all__:
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))
