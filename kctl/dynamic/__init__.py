"""client-go's dynamic client, list pager and unstructured helpers.

dyn = dynamic.new_for_config(cfg)
pods = dyn.resource(GroupVersionResource("", "v1", "pods")).namespace("dev")
page = pods.list(limit=100)
for page in pods.list_pages(page_size=500): ...
"""

from kctl.dynamic._client import DynamicClient, DynamicResource, new_for_config
from kctl.dynamic._pager import DEFAULT_PAGE_SIZE, ListPager
from kctl.dynamic._resource import ResourceClient
from kctl.dynamic._unstructured import (
    nested_bool,
    nested_field,
    nested_int64,
    nested_map,
    nested_slice,
    nested_string,
    nested_string_map,
    nested_string_slice,
    remove_nested_field,
    set_nested_field,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DynamicClient",
    "DynamicResource",
    "ListPager",
    "ResourceClient",
    "nested_bool",
    "nested_field",
    "nested_int64",
    "nested_map",
    "nested_slice",
    "nested_string",
    "nested_string_map",
    "nested_string_slice",
    "new_for_config",
    "remove_nested_field",
    "set_nested_field",
]
