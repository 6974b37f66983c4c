-- A booking reads the free slots of one location at a time, but the first index of free slots had
-- no location: at a desk whose first weeks were full, a read walked past every other location's
-- free slots of the product to find its 40 (4,864 rows and 5.2 ms at the end of a 20,000 burst,
-- 0.09 ms with this index).
create index slots_free_at on biometrics.slots (product, location, day, start_time) where booked < capacity;
drop index biometrics.slots_free;
