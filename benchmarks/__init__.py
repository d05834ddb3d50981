"""Speed and memory measurements that need no downloaded weights."""
