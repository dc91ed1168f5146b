"""Gift-pack logistics: stock, campaigns, allocation, packing lists and delivery runs."""
