// The bullet benchmark's program: a small rigid-body simulation using
// Bullet's collision, dynamics and linear-math libraries. It prints the
// final positions, which must not depend on how the program was linked.
#include <btBulletDynamicsCommon.h>
#include <cstdio>

int main() {
  btDefaultCollisionConfiguration Config;
  btCollisionDispatcher Dispatcher(&Config);
  btDbvtBroadphase Broadphase;
  btSequentialImpulseConstraintSolver Solver;
  btDiscreteDynamicsWorld World(&Dispatcher, &Broadphase, &Solver, &Config);
  World.setGravity(btVector3(0, -10, 0));

  btBoxShape Ground(btVector3(50, 1, 50));
  btRigidBody::btRigidBodyConstructionInfo GroundInfo(0, nullptr, &Ground);
  btRigidBody GroundBody(GroundInfo);
  World.addRigidBody(&GroundBody);

  btSphereShape Sphere(0.5);
  btCapsuleShape Capsule(0.3, 1.0);
  btCollisionShape *Shapes[] = {&Sphere, &Capsule};
  btRigidBody *Bodies[20];
  for (int I = 0; I < 20; ++I) {
    btCollisionShape *S = Shapes[I % 2];
    btVector3 Inertia;
    S->calculateLocalInertia(1, Inertia);
    btTransform T;
    T.setIdentity();
    T.setOrigin(btVector3(I % 4, 2 + I, I / 4));
    auto *Motion = new btDefaultMotionState(T);
    btRigidBody::btRigidBodyConstructionInfo Info(1, Motion, S, Inertia);
    Bodies[I] = new btRigidBody(Info);
    World.addRigidBody(Bodies[I]);
  }
  for (int Step = 0; Step < 600; ++Step)
    World.stepSimulation(1.0 / 60, 10);
  for (btRigidBody *B : Bodies) {
    btVector3 P = B->getCenterOfMassPosition();
    std::printf("%.4f %.4f %.4f\n", P.x(), P.y(), P.z());
    World.removeRigidBody(B);
    delete B->getMotionState();
    delete B;
  }
  World.removeRigidBody(&GroundBody);
  return 0;
}
