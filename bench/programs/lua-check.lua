-- The lua benchmark's check: exercises the interpreter's parser, VM,
-- tables, strings, closures and coroutines, and prints results that must
-- not depend on how the interpreter was linked.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local t = {}
for i = 1, 2000 do t[i] = string.format("%05d:%s", (i * 7919) % 2000, ("x"):rep(i % 7)) end
table.sort(t)
local words = {}
for w in ("the quick brown fox jumps over the lazy dog"):gmatch("%a+") do
  words[#words + 1] = w:upper()
end
local co = coroutine.wrap(function() for i = 1, 5 do coroutine.yield(i * i) end end)
local sq = {}
for _ = 1, 5 do sq[#sq + 1] = co() end
print(fib(22), t[1], t[#t], table.concat(words, "-"), table.concat(sq, ","),
      string.format("%.6f", math.sin(1) + math.sqrt(2)))
