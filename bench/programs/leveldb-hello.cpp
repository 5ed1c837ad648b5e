// The leveldb benchmark's program: a small storage workload on leveldb's
// static library (an archive, so its modules are archive members). It
// writes, overwrites, deletes and compacts keys in a fresh database, then
// prints a digest of what it reads back, which must not depend on how the
// program was linked.
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

int main() {
  char Dir[] = "/tmp/dtlto-leveldb-XXXXXX";
  if (!mkdtemp(Dir))
    return 1;
  leveldb::Options Opts;
  Opts.create_if_missing = true;
  Opts.write_buffer_size = 64 << 10;
  leveldb::DB *DB = nullptr;
  if (!leveldb::DB::Open(Opts, Dir, &DB).ok())
    return 1;
  for (int Round = 0; Round < 3; ++Round) {
    leveldb::WriteBatch Batch;
    for (int I = 0; I < 4000; ++I) {
      std::string Key = "key" + std::to_string(I * 7919 % 4000);
      if ((I + Round) % 11 == 0)
        Batch.Delete(Key);
      else
        Batch.Put(Key, Key + "/" + std::to_string(Round * I));
    }
    if (!DB->Write(leveldb::WriteOptions(), &Batch).ok())
      return 1;
  }
  DB->CompactRange(nullptr, nullptr);
  unsigned long long Digest = 1469598103934665603ull;
  size_t Count = 0;
  leveldb::Iterator *It = DB->NewIterator(leveldb::ReadOptions());
  for (It->SeekToFirst(); It->Valid(); It->Next(), ++Count)
    for (char C : It->key().ToString() + It->value().ToString())
      Digest = (Digest ^ static_cast<unsigned char>(C)) * 1099511628211ull;
  delete It;
  delete DB;
  leveldb::DestroyDB(Dir, Opts);
  rmdir(Dir);
  std::printf("%zu keys, digest %016llx\n", Count, Digest);
  return 0;
}
